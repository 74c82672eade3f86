namespace Nsmt.Amp.Engine;

/// <summary>
/// The knob values of a streaming engine with a knob input (AIDA-X models, knob WaveNets): a new target set by
/// <see cref="SetTarget"/> is reached by a linear ramp that starts with the next block and lasts that block or the
/// given ramp, whichever is longer, so a knob change never steps (no zipper noise, no click). Allocation-free.
/// </summary>
public sealed class KnobRamp
{
    private readonly float[] _values;
    private readonly float[] _targets;
    private readonly float[] _starts;
    private readonly float[] _steps;
    private int _remaining;
    private int _done;
    private int _pendingLength = -1;

    public KnobRamp(int knobs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(knobs);
        _values = new float[knobs];
        _targets = new float[knobs];
        _starts = new float[knobs];
        _steps = new float[knobs];
    }

    /// <summary>The values now (network inputs).</summary>
    public ReadOnlySpan<float> Values => _values;

    public int Count => _values.Length;

    /// <summary>A new target, approached from the next <see cref="BeginBlock"/> over at least <paramref name="rampSamples"/> (0: exactly that block).</summary>
    public void SetTarget(ReadOnlySpan<float> values, int rampSamples)
    {
        CheckCount(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rampSamples);
        values.CopyTo(_targets);
        _pendingLength = rampSamples;
    }

    /// <summary>Sets the values at once, without a ramp: before playing starts, or for a reset.</summary>
    public void SetImmediately(ReadOnlySpan<float> values)
    {
        CheckCount(values);
        values.CopyTo(_targets);
        values.CopyTo(_values);
        _pendingLength = -1;
        _remaining = 0;
    }

    /// <summary>Starts a block of <paramref name="samples"/>: a pending target starts its ramp here and reaches it exactly at the ramp's last sample.</summary>
    public void BeginBlock(int samples)
    {
        if (_pendingLength >= 0 && samples > 0)
        {
            _remaining = Math.Max(samples, _pendingLength);
            _pendingLength = -1;
            for (var k = 0; k < _values.Length; k++)
            {
                _starts[k] = _values[k];
                _steps[k] = (_targets[k] - _values[k]) / _remaining;
            }

            _done = 0;
        }
    }

    /// <summary>Moves the values one sample along the ramp (nothing when none is running).</summary>
    public void Advance()
    {
        if (_remaining > 0)
        {
            _remaining--;
            _done++;
            for (var k = 0; k < _values.Length; k++)
            {
                _values[k] = _remaining == 0 ? _targets[k] : _starts[k] + (_steps[k] * _done);
            }
        }
    }

    private void CheckCount(ReadOnlySpan<float> values)
    {
        if (values.Length != _values.Length)
        {
            throw new ArgumentException(
                $"the model takes {_values.Length} knob value(s), got {values.Length}",
                nameof(values)
            );
        }
    }
}

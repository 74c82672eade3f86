namespace Nsmt.Amp.Engine;

/// <summary>Reads a flat .nam weight vector front to back, module by module.</summary>
internal sealed class WeightCursor(float[] weights)
{
    private int _position;

    public ReadOnlySpan<float> Take(int count)
    {
        var slice = weights.AsSpan(_position, count);
        _position += count;
        return slice;
    }

    public float TakeOne() => weights[_position++];

    public void ExpectEnd()
    {
        if (_position != weights.Length)
        {
            throw new InvalidOperationException($"weight layout consumed {_position} of {weights.Length} weights");
        }
    }
}

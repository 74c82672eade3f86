using Nsmt.Spectral.Data.Config;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>
/// Chooses the parameter values of sample i. Values depend only on (seed, i), never on which
/// thread asks or in what order, so generation is reproducible at any degree of parallelism.
/// </summary>
internal sealed class ParameterSampler
{
    private readonly GeneratorConfig _config;
    private readonly ParameterSpec[] _all;
    private readonly int[] _varyingIndex; // positions of the varying parameters in _all
    private readonly int[]? _permutation;

    public ParameterSampler(GeneratorConfig config)
    {
        _config = config;
        _all = [.. config.Parameters];
        _varyingIndex = Enumerable.Range(0, _all.Length).Where(i => _all[i].IsVarying).ToArray();
        if (config.Shuffle)
        {
            // Fisher-Yates with its own stream (index ulong.MaxValue is never a sample index).
            _permutation = Enumerable.Range(0, config.Size).ToArray();
            var rng = SplitMix64.ForStream(config.Seed, ulong.MaxValue);
            for (var i = _permutation.Length - 1; i > 0; i--)
            {
                var j = rng.NextInt(i + 1);
                (_permutation[i], _permutation[j]) = (_permutation[j], _permutation[i]);
            }
        }
    }

    public IReadOnlyList<ParameterSpec> Parameters => _all;

    /// <summary>Fills all parameter values (config order) for the sample written at <paramref name="position"/>.</summary>
    public void ValuesAt(int position, Span<double> values)
    {
        var index = _permutation?[position] ?? position;
        for (var p = 0; p < _all.Length; p++)
        {
            values[p] = _all[p].Min.Value;
        }

        if (_config.Sampling == SamplingMode.Grid)
        {
            // Mixed-radix digits of the index, last varying parameter fastest (itertools.product order).
            long rest = index;
            for (var v = _varyingIndex.Length - 1; v >= 0; v--)
            {
                var spec = _all[_varyingIndex[v]];
                var k = (int)(rest % spec.NumClasses);
                rest /= spec.NumClasses;
                values[_varyingIndex[v]] = spec.ClassValue(k);
            }
        }
        else
        {
            var rng = SplitMix64.ForStream(_config.Seed, (ulong)index);
            foreach (var p in _varyingIndex)
            {
                var spec = _all[p];
                values[p] = spec.Min.Value + (rng.NextDouble() * (spec.Max.Value - spec.Min.Value));
            }
        }
    }
}

using static TorchSharp.torch;

namespace Nsmt.Neural.Training;

/// <summary>
/// Reads the two checkpoint layouts written before the trainers shared one core, into <see cref="TrainingCheckpoint"/>'s:
/// their tensors renamed (no copies) to one averaging convention and their counters to one <see cref="TrainingState"/>.
/// </summary>
internal static class LegacyCheckpoints
{
    /// <summary>The spectral trainer's counters as <c>trainer_state</c> held them.</summary>
    private sealed record SpectralState
    {
        public int EpochsCompleted { get; init; }
        public long GlobalStep { get; init; }
        public double? BestMonitorValue { get; init; }
        public int BestEpoch { get; init; } = -1;
        public double? EarlyStoppingBest { get; init; }
        public int EarlyStoppingWait { get; init; }
        public Dictionary<string, double> MetricBests { get; init; } = [];
        public Dictionary<string, double> Scheduler { get; init; } = [];
        public Dictionary<string, double> Metrics { get; init; } = [];
    }

    private sealed record AmpRanked(int Epoch, double ValidationEsr, string FileName);

    /// <summary>The amp trainer's counters as <c>progress</c> held them (Epoch: the last completed one, -1 before).</summary>
    private sealed record AmpProgress
    {
        public int Epoch { get; init; } = -1;
        public long GlobalStep { get; init; }
        public double ValidationEsr { get; init; } = double.NaN;
        public double BestValidationEsr { get; init; } = double.PositiveInfinity;
        public int BestEpoch { get; init; } = -1;
        public int EpochsWithoutImprovement { get; init; }
        public double ElapsedSeconds { get; init; }
        public List<AmpRanked> TopK { get; init; } = [];
    }

    /// <summary>nsmt-checkpoint/1: <c>model.</c> (averaged where the run averaged), <c>live.</c>, <c>rng_state</c>.</summary>
    public static TrainingCheckpoint FromSpectral(
        string path,
        Dictionary<string, Tensor> tensors,
        Dictionary<string, string> metadata
    )
    {
        var old = TrainingState.Deserialize<SpectralState>(
            TrainingCheckpoint.Field(metadata, "trainer_state", path),
            path
        ) ?? throw new InvalidDataException($"{path}: field 'trainer_state' is empty");
        var state = new TrainingState
        {
            EpochsCompleted = old.EpochsCompleted,
            GlobalStep = old.GlobalStep,
            BestValue = old.BestMonitorValue,
            BestEpoch = old.BestEpoch,
            EarlyStoppingBest = old.EarlyStoppingBest,
            EarlyStoppingWait = old.EarlyStoppingWait,
            MetricBests = old.MetricBests,
            Scheduler = old.Scheduler,
            Metrics = old.Metrics,
        };
        var renamed = tensors.ToDictionary(
            kv =>
                kv.Key switch
                {
                    "rng_state" => TrainingCheckpoint.RngTensor,
                    _ when kv.Key.StartsWith("model.", StringComparison.Ordinal) => TrainingCheckpoint.ModelPrefix
                        + kv.Key["model.".Length..],
                    _ when kv.Key.StartsWith("live.", StringComparison.Ordinal) => TrainingCheckpoint.LivePrefix
                        + kv.Key["live.".Length..],
                    _ => kv.Key,
                },
            kv => kv.Value
        );
        return new TrainingCheckpoint(path, "spectral", TrainingCheckpoint.SpectralFormatV1, state, renamed, metadata);
    }

    /// <summary>
    /// nsmt-amp-checkpoint/1: <c>model/</c> (live), <c>ema/</c> (averaged parameters, where the run averaged), the
    /// scheduler in metadata. With an average, the validated model is the averaged parameters with the live buffers (the
    /// amp models have no BatchNorm to recompute), and the live weights move to <c>live/</c>.
    /// </summary>
    public static TrainingCheckpoint FromAmp(
        string path,
        Dictionary<string, Tensor> tensors,
        Dictionary<string, string> metadata
    )
    {
        var old = TrainingState.Deserialize<AmpProgress>(TrainingCheckpoint.Field(metadata, "progress", path), path)
            ?? throw new InvalidDataException($"{path}: empty 'progress' metadata");
        var best = double.IsFinite(old.BestValidationEsr) ? old.BestValidationEsr : (double?)null;
        var state = new TrainingState
        {
            EpochsCompleted = old.Epoch + 1,
            GlobalStep = old.GlobalStep,
            ElapsedSeconds = old.ElapsedSeconds,
            BestValue = best,
            BestEpoch = old.BestEpoch,
            EarlyStoppingBest = best,
            EarlyStoppingWait = old.EpochsWithoutImprovement,
            TopK = [.. old.TopK.Select(r => new RankedCheckpoint(r.Epoch, r.ValidationEsr, r.FileName))],
            Scheduler = TrainingState.Deserialize<Dictionary<string, double>>(
                TrainingCheckpoint.Field(metadata, "scheduler", path),
                path
            ) ?? [],
            Metrics = new Dictionary<string, double>
            {
                ["val/esr"] = old.ValidationEsr,
                ["val/loss"] = old.ValidationEsr,
            },
        };
        const string emaPrefix = "ema/";
        var averaged = tensors.Keys.Any(k => k.StartsWith(emaPrefix, StringComparison.Ordinal));
        // A module registered under two names (a field and its list) has two state_dict keys for one parameter, and
        // ema/ held only named_parameters' one: the other key's average is the average of the live tensor it equals.
        var averages = tensors
            .Where(kv => kv.Key.StartsWith(emaPrefix, StringComparison.Ordinal))
            .Select(kv =>
                (
                    Live: tensors.GetValueOrDefault(TrainingCheckpoint.ModelPrefix + kv.Key[emaPrefix.Length..]),
                    Average: kv.Value
                )
            )
            .Where(p => p.Live is not null)
            .ToList();
        Tensor? AverageOfAlias(Tensor live) =>
            averages
                .FirstOrDefault(p =>
                    p.Live!.dtype == live.dtype
                    && p.Live.shape.SequenceEqual(live.shape)
                    && p.Live.eq(live).all().item<bool>()
                )
                .Average;
        var converted = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(emaPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (averaged && name.StartsWith(TrainingCheckpoint.ModelPrefix, StringComparison.Ordinal))
            {
                var weight = name[TrainingCheckpoint.ModelPrefix.Length..];
                converted[TrainingCheckpoint.LivePrefix + weight] = tensor;
                converted[name] = tensors.GetValueOrDefault(emaPrefix + weight) ?? AverageOfAlias(tensor) ?? tensor;
            }
            else
            {
                converted[name] = tensor;
            }
        }

        // An average of a weight the model no longer has is dropped, not leaked.
        foreach (var orphan in tensors.Values.Except(converted.Values))
        {
            orphan.Dispose();
        }

        return new TrainingCheckpoint(path, "amp", TrainingCheckpoint.AmpFormatV1, state, converted, metadata);
    }
}

using Nsmt.Amp.Evaluation;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Neural.Engine;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// Issue 23 item 13 for knob training: windows and validation read from the settings' scratch files are the floats
/// and sums of the whole signals (what knob training copied into arrays before), so a run trains the same weights.
/// </summary>
public sealed class KnobStreamingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-knobstream-{Guid.NewGuid():N}");

    public KnobStreamingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Batches_and_validation_from_scratch_files_are_those_of_the_whole_signals()
    {
        var config = KnobMemoryTests.Config("training.batch_size=16", "training.drop_last=false");
        var signals = KnobMemoryTests.Signals(config, 5 * KnobMemoryTests.Rate);
        var captures = KnobMemoryTests.Spilled(config, signals, _root);
        var device = TrainingEngine.Prepare(config.Amp.Training.Engine);
        using var training = new KnobTraining(config, captures, RunDirectory.At(Path.Combine(_root, "run")), device);
        var (ny, context) = (config.Amp.Data.Ny, training.Module.Context);
        try
        {
            // Every row of every batch of an epoch: the window's DI with its context, the amp's output and the setting's
            // knobs, cut here from the whole arrays.
            var rows = new List<(int Setting, int Window)>();
            var steps = training.BeginEpoch(1);
            for (var step = 0; step < steps; step++)
            {
                var batchRows = training.BatchRows(step);
                var (audio, target, knobs) = training.Batch(step);
                using (audio)
                using (target)
                using (knobs)
                {
                    Assert.Equal([batchRows.Length, context + ny], audio.shape);
                    for (var r = 0; r < batchRows.Length; r++)
                    {
                        var (s, w) = batchRows[r];
                        var start = Math.Max(captures[s].Data.Train.Start, context) + (w * ny);
                        Assert.Equal(
                            signals[s].Input[(start - context)..(start + ny)],
                            audio[r].data<float>().ToArray()
                        );
                        Assert.Equal(signals[s].Output[start..(start + ny)], target[r].data<float>().ToArray());
                        Assert.Equal([(float)(config.Settings[s]["gain_db"] / 18)], knobs[r].data<float>().ToArray());
                    }
                }

                rows.AddRange(batchRows);
            }

            // The epoch (no batch dropped) visits each window of the trained settings once, and none of the held-out one.
            var windows = (signals[0].Input.Length - KnobMemoryTests.Rate - context) / ny;
            Assert.Equal(
                [.. new[] { 0, 2 }.SelectMany(s => Enumerable.Range(0, windows).Select(w => (s, w)))],
                rows.Order()
            );

            // Each setting's validation ESR: the module on the passage and its context taken from the whole DI, against
            // the whole output's passage, as knob training computed it from the arrays.
            var esr = training.ValidateSettings();
            for (var i = 0; i < captures.Count; i++)
            {
                var range = captures[i].Data.Validation;
                var start = Math.Max(0, range.Start - context);
                var output = training.Module.Process(
                    signals[i].Input.AsSpan(start, range.End - start),
                    [config.Settings[i]["gain_db"]]
                );
                var predicted = output.AsSpan(range.Start - start).ToArray().Select(v => (float)v).ToArray();
                Assert.Equal(Metrics.Esr(predicted, signals[i].Output.AsSpan(range.Start, range.Length)), esr[i].Esr);
                Assert.Equal(captures[i].HeldOut, esr[i].HeldOut);
            }
        }
        finally
        {
            captures.ForEach(c => c.Data.Signals.Dispose());
        }
    }

    [Fact]
    public void A_reference_amp_grid_is_spilled_to_scratch_files_with_the_renders_floats()
    {
        var config = KnobMemoryTests.Config();
        var captures = KnobCaptureSet.Load(config, _root);
        try
        {
            Assert.Equal(config.Settings, captures.Select(c => c.Setting));
            for (var i = 0; i < captures.Count; i++)
            {
                var data = captures[i].Data;
                Assert.True(data.Signals.IsSpilled, $"{captures[i].Setting} is held in memory");
                var render = AmpDataLoader.FromReferenceAmp(
                    config.Amp.Data with
                    {
                        Amp = ReferenceAmpKnobs.Apply(config.Amp.Data.Amp, config.Settings[i], "knobs.grid"),
                    }
                );
                Assert.Equal((render.Train, render.Validation), (data.Train, data.Validation));
                Assert.Equal(render.Description, data.Description);
                Assert.Equal(render.Input, data.Input);
                Assert.Equal(render.Output, data.Output);
            }
        }
        finally
        {
            foreach (var c in captures)
            {
                c.Data.Signals.Dispose();
            }
        }
    }
}

using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;
using Nsmt.Audio;
using Nsmt.Audio.Dsp;
using Nsmt.Core;

namespace Nsmt.Amp.Keras;

/// <summary>
/// Plays audio through an RTNeural/AIDA-X model (or a knob WaveNet) with the streaming engine, block by block, at fixed knob values
/// or following a <see cref="KnobAutomation"/> (each block ramps linearly to the values at its end). Knob values are in
/// the knobs' own units when the file records their ranges (<c>gain_db=9</c>); a file without them (another
/// tool's) takes its inputs as AIDA-X's raw PARAM values, named <c>param1</c>, <c>param2</c>.
/// Input at another rate is resampled to the model's and back. AIDA-X's 2048-sample prewarm on silence is run first.
/// </summary>
public static class KerasProcessor
{
    public const int AidaPrewarmSamples = 2048;

    /// <summary>The names <c>--knob</c> and automation files use for the model's knob inputs.</summary>
    public static IReadOnlyList<string> KnobNames(KerasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Knobs.Count == model.KnobCount
            ? model.Knobs.Select(k => k.Name).ToList()
            : Enumerable.Range(1, model.KnobCount).Select(i => $"param{i}").ToList();
    }

    /// <summary>Network inputs for knob values in their own units (param1.. are taken as they are).</summary>
    public static float[] Normalize(KerasModel model, KnobSetting setting, string field)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Normalize(KnobNames(model), Ranges(model), setting, field);
    }

    /// <summary>Mono <paramref name="input"/> at <paramref name="sampleRate"/> through the model; the result has the input's length.</summary>
    public static float[] Process(
        KerasModel model,
        ReadOnlySpan<float> input,
        int sampleRate,
        KnobSetting? knobs,
        KnobAutomation? automation,
        int blockSize = 64
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        var engine = new KerasEngine(model, AidaPrewarmSamples);
        return Play(
            new KnobPlayer(
                engine,
                engine.SetKnobs,
                engine.SetKnobsImmediately,
                KnobNames(model),
                Ranges(model),
                model.SampleRate
            ),
            input,
            sampleRate,
            knobs,
            automation,
            blockSize
        );
    }

    /// <summary>As for an AIDA-X model, through a knob WaveNet (the streaming WaveNet engine, its knob rows ramped alike).</summary>
    public static float[] Process(
        KnobWaveNetModel model,
        ReadOnlySpan<float> input,
        int sampleRate,
        KnobSetting? knobs,
        KnobAutomation? automation,
        int blockSize = 64
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        var engine = new ExtendedWaveNetEngine(model.Model);
        return Play(
            new KnobPlayer(
                engine,
                (v, ramp) => engine.SetKnobs(v, ramp),
                engine.SetKnobsImmediately,
                model.Knobs.Select(k => k.Name).ToList(),
                model.Knobs,
                model.Model.SampleRate
            ),
            input,
            sampleRate,
            knobs,
            automation,
            blockSize
        );
    }

    /// <summary>A streaming engine with knob inputs, the knobs' names and (when known) ranges, and its rate.</summary>
    private sealed record KnobPlayer(
        INamEngine Engine,
        KnobSetter SetKnobs,
        ImmediateKnobSetter SetKnobsImmediately,
        IReadOnlyList<string> Names,
        IReadOnlyList<KnobRange>? Ranges,
        double? SampleRate
    );

    private delegate void KnobSetter(ReadOnlySpan<float> values, int rampSamples);

    private delegate void ImmediateKnobSetter(ReadOnlySpan<float> values);

    private static IReadOnlyList<KnobRange>? Ranges(KerasModel model) =>
        model.Knobs.Count == model.KnobCount ? model.Knobs : null;

    private static float[] Normalize(
        IReadOnlyList<string> names,
        IReadOnlyList<KnobRange>? ranges,
        KnobSetting setting,
        string field
    )
    {
        ArgumentNullException.ThrowIfNull(setting);
        foreach (var name in setting.Names.Where(n => !names.Contains(n)))
        {
            throw new NsmtInputException(
                null,
                field,
                $"the model has no knob '{name}'{NearestName.Suggestion(name, names)} (knobs: {string.Join(", ", names)})"
            );
        }

        return names
            .Select(
                (name, i) =>
                    setting.Has(name)
                        ? (float)(ranges is not null ? ranges[i].Normalize(setting[name]) : setting[name])
                        : throw new NsmtInputException(
                            null,
                            field,
                            $"knob '{name}' needs a value (the model's knobs: {string.Join(", ", names)})"
                        )
            )
            .ToArray();
    }

    private static float[] Play(
        KnobPlayer player,
        ReadOnlySpan<float> input,
        int sampleRate,
        KnobSetting? knobs,
        KnobAutomation? automation,
        int blockSize
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var modelRate = player.SampleRate is { } rate ? (int)Math.Round(rate) : sampleRate;
        var atModelRate =
            modelRate == sampleRate ? input.ToArray() : new Resampler(sampleRate, modelRate).Process(input);
        var engine = player.Engine;
        int[] columns = [];
        if (automation is not null)
        {
            columns = player
                .Names.Select(n =>
                    automation.Knobs.ToList().IndexOf(n) is var i and >= 0
                        ? i
                        : throw new NsmtInputException(
                            null,
                            "--automation",
                            $"the automation file has no column for knob '{n}' (columns: {string.Join(", ", automation.Knobs)})"
                        )
                )
                .ToArray();
            player.SetKnobsImmediately(AutomationAt(player, automation, columns, 0));
        }
        else if (player.Names.Count > 0)
        {
            player.SetKnobsImmediately(
                Normalize(
                    player.Names,
                    player.Ranges,
                    knobs
                        ?? throw new NsmtInputException(
                            null,
                            "--knob",
                            $"the model takes knobs ({string.Join(", ", player.Names)}): give --knob or --automation"
                        ),
                    "--knob"
                )
            );
        }

        engine.Reset(); // the prewarm again, now at the starting knob values (AIDA-X sets its knobs before it prewarms)

        var output = new float[atModelRate.Length];
        for (var start = 0; start < atModelRate.Length; start += blockSize)
        {
            var count = Math.Min(blockSize, atModelRate.Length - start);
            if (automation is not null)
            {
                // The file already gives the curve: each block ramps to the value at its end, within the block.
                player.SetKnobs(AutomationAt(player, automation, columns, (start + count) / (double)modelRate), 0);
            }

            engine.Process(atModelRate.AsSpan(start, count), output.AsSpan(start, count));
        }

        return modelRate == sampleRate
            ? output
            : new Resampler(modelRate, sampleRate).Process(output).AsSpan(0, input.Length).ToArray();
    }

    /// <summary>
    /// Every channel of a WAV file through the model (an AIDA-X/RTNeural .json, or a knob WaveNet file, told apart by
    /// its <c>format</c>); written atomically as float32.
    /// </summary>
    public static (int Channels, int Frames, double PeakDbfs) ProcessFile(
        string modelPath,
        string inputPath,
        string outputPath,
        KnobSetting? knobs,
        KnobAutomation? automation,
        int blockSize
    )
    {
        Func<float[], int, float[]> process;
        if (KnobWaveNetReader.IsKnobWaveNet(modelPath))
        {
            var wavenet = KnobWaveNetReader.Load(modelPath);
            process = (c, rate) => Process(wavenet, c, rate, knobs, automation, blockSize);
        }
        else
        {
            var keras = KerasModelFile.Load(modelPath);
            process = (c, rate) => Process(keras, c, rate, knobs, automation, blockSize);
        }

        var audio = WavFile.Read(inputPath);
        var channels = audio.Channels.Select(c => process(c, audio.SampleRate)).ToArray();
        WavFile.Write(outputPath, new AudioBuffer(audio.SampleRate, channels), WavSampleFormat.Float32);
        var peak = channels.SelectMany(c => c).Select(v => (double)Math.Abs(v)).DefaultIfEmpty(0).Max();
        return (audio.ChannelCount, audio.Length, 20 * Math.Log10(peak));
    }

    private static float[] AutomationAt(KnobPlayer player, KnobAutomation automation, int[] columns, double seconds)
    {
        var values = columns.Select(c => automation.ValueAt(c, seconds)).ToArray();
        return player.Ranges is { } ranges
            ? values.Select((v, i) => (float)ranges[i].Normalize(v)).ToArray()
            : values.Select(v => (float)v).ToArray();
    }
}

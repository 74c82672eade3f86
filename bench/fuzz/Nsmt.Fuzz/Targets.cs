using System.Text;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Audio;
using Nsmt.Pipeline;
using Nsmt.Pipeline.State;
using Nsmt.Spectral.Data;

namespace Nsmt.Fuzz;

/// <summary>
/// One entry per reader of files that come from other tools or from people. Each takes the fuzzer's bytes,
/// lays them out as the reader expects them (files in a scratch folder), reads them, and lets only the
/// reader's documented error types pass: anything else (an unexpected exception, a crash, a hang) is a finding.
/// </summary>
internal static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[], string>> All = new Dictionary<
        string,
        Action<byte[], string>
    >
    {
        ["wav"] = Wav,
        ["vimh"] = Vimh,
        ["nam"] = Nam,
        ["yaml"] = Yaml,
        ["lock"] = Lock,
    };

    /// <summary>The error types the readers document; everything else escaping them is a bug.</summary>
    public static bool IsDocumented(Exception e) =>
        e
            is WavFormatException
                or VimhDataException
                or NamFormatException
                or Nsmt.Config.ConfigException
                or PipelineException;

    /// <summary>The bytes as a WAV file; every frame is read through the streaming reader.</summary>
    private static void Wav(byte[] input, string scratch)
    {
        var path = Write(scratch, "input.wav", input);
        using var reader = WavReader.Open(path);
        var block = new float[Math.Max(1, reader.Info.ChannelCount) * 256];
        while (reader.ReadFrames(block) > 0) { }
    }

    /// <summary>vimh_dataset_info.json, a NUL byte, then the train split's records (the test split is empty).</summary>
    private static void Vimh(byte[] input, string scratch)
    {
        var split = Array.IndexOf(input, (byte)0);
        var directory = Path.Combine(scratch, "dataset");
        Directory.CreateDirectory(directory);
        Write(directory, VimhFormat.InfoFileName, split < 0 ? input : input[..split]);
        Write(directory, VimhFormat.TrainFileName, split < 0 ? [] : input[(split + 1)..]);
        Write(directory, VimhFormat.TestFileName, []);
        VimhDataset.Load(directory);
    }

    private static void Nam(byte[] input, string scratch) => NamFile.Load(Write(scratch, "model.nam", input));

    /// <summary>
    /// A config file and its overrides: the text up to a line "---overrides---" is the YAML, each line after it a
    /// key=value override. The amp reader binds it; the training and generator readers parse the same YAML.
    /// </summary>
    private static void Yaml(byte[] input, string scratch)
    {
        var text = Encoding.UTF8.GetString(input);
        var marker = text.IndexOf("---overrides---", StringComparison.Ordinal);
        var yaml = marker < 0 ? text : text[..marker];
        var overrides =
            marker < 0
                ? []
                : text[(marker + 15)..]
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var path = Write(scratch, "config.yaml", Encoding.UTF8.GetBytes(yaml));
        Try(() => AmpTrainConfig.Load(path, overrides));
        Try(() => Nsmt.Config.ConfigYaml.ReadFile(path));
        Try(() =>
            Nsmt.Spectral.Data.Config.GeneratorConfig.Load(
                path,
                overrides.Where(o => o.Contains('=', StringComparison.Ordinal))
            )
        );
    }

    private static void Lock(byte[] input, string scratch) => LockFile.Load(Write(scratch, "pipeline.lock", input));

    private static void Try(Action read)
    {
        try
        {
            read();
        }
        catch (Exception e) when (IsDocumented(e)) { }
    }

    private static string Write(string directory, string name, byte[] bytes)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

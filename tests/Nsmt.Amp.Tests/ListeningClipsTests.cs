using Nsmt.Amp.Architectures;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Ingest;
using Nsmt.Audio;

namespace Nsmt.Amp.Tests;

public sealed class ListeningClipsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-clips-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_clips_are_the_loudest_moment_of_the_di_the_amp_and_the_model_as_16_bit_mono()
    {
        const int rate = 8000;
        var di = new float[rate * 4];
        var amp = new float[di.Length];
        var model = new float[di.Length];
        for (var i = 2 * rate; i < 3 * rate; i++)
        {
            // Silence but for one loud second from 2 s on.
            di[i] = 0.5f * MathF.Sin(i * 0.1f);
            amp[i] = MathF.Tanh(4 * di[i]);
            model[i] = 0.9f * amp[i];
        }

        var paths = ListeningClips.Write(_folder, di, amp, model, rate, seconds: 1);

        Assert.Equal(
            [ListeningClips.DiFileName, ListeningClips.AmpFileName, ListeningClips.ModelFileName],
            paths.Select(Path.GetFileName)
        );
        var read = paths.Select(p => WavFile.Read(p)).ToList();
        Assert.All(read, a => Assert.Equal((rate, 1, rate), (a.SampleRate, a.ChannelCount, a.Length)));
        Assert.All(paths, p => Assert.Equal(44 + (2 * rate), new FileInfo(p).Length)); // 16-bit PCM
        // The window starts where the loud second does, and each clip is its own signal at its own level.
        Assert.Equal(di[2 * rate + 100], read[0].Channels[0][100], 1e-4);
        Assert.Equal(amp[2 * rate + 100], read[1].Channels[0][100], 1e-4);
        Assert.Equal(model[2 * rate + 100], read[2].Channels[0][100], 1e-4);
    }

    [Fact]
    public void A_signal_shorter_than_the_clip_is_written_whole_and_mismatched_lengths_are_refused()
    {
        var x = new float[100];
        Assert.Equal(0, ListeningClips.LoudestWindow(x, 100, 10));
        var paths = ListeningClips.Write(_folder, x, x, x, 8000, seconds: 3);
        Assert.Equal(100, WavFile.Read(paths[0]).Length);
        var e = Assert.Throws<ArgumentException>(() => ListeningClips.Write(_folder, x, new float[99], x, 8000, 1));
        Assert.Contains("amp 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluating_a_model_on_a_capture_pair_writes_the_clips_unless_told_not_to()
    {
        var pair = CapturePair.Load(AmpTestSignals.Capture.Samples, AmpTestSignals.Reamp(latency: 40), 48000);
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano));

        AmpEvaluation.Run(model, pair, _folder, new EvaluationOptions { ClipSeconds = 0.5 });
        var clip = WavFile.Read(Path.Combine(_folder, ListeningClips.ModelFileName));
        Assert.Equal(Math.Min(24000, pair.ValidationRange.Length), clip.Length);

        var other = Path.Combine(_folder, "none");
        AmpEvaluation.Run(model, pair, other, new EvaluationOptions { ClipSeconds = 0 });
        Assert.False(File.Exists(Path.Combine(other, ListeningClips.DiFileName)));
    }
}

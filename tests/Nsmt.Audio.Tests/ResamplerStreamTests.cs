using System.Runtime.InteropServices;
using Nsmt.Audio.Dsp;

namespace Nsmt.Audio.Tests;

/// <summary>
/// A signal resampled a piece at a time (<see cref="Resampler.Stream"/>, issue 23 item 13) is the whole signal
/// resampled (<see cref="Resampler.Process(ReadOnlySpan{float})"/>, itself checked against sox in DspFixtureTests):
/// bit for bit, whatever the pieces, including signals shorter than the filter.
/// </summary>
public class ResamplerStreamTests
{
    [Theory]
    [InlineData(44_100, 48_000, 50_000, 4096)]
    [InlineData(48_000, 44_100, 50_000, 1)]
    [InlineData(96_000, 48_000, 30_001, 777)]
    [InlineData(8_000, 48_000, 9_000, 1000)]
    [InlineData(44_100, 48_000, 20, 3)] // shorter than the filter: every output reads past both ends
    [InlineData(48_000, 44_100, 0, 5)]
    public void Pieces_resample_to_the_whole_signals_floats(int from, int to, int length, int piece)
    {
        var random = new Random(length + piece);
        var x = Enumerable.Range(0, length).Select(_ => (float)((2 * random.NextDouble()) - 1)).ToArray();
        var resampler = new Resampler(from, to);
        var whole = resampler.Process(x);

        AssertBitEqual(whole, Streamed(resampler, x, _ => piece));
        AssertBitEqual(whole, Streamed(resampler, x, r => r.Next(0, 3 * piece))); // uneven pieces, empty ones too
    }

    [Fact]
    public void A_finished_stream_refuses_more_input()
    {
        var stream = new Resampler(44_100, 48_000).Start();
        stream.Push(new float[100]);
        stream.Finish();

        Assert.Throws<InvalidOperationException>(() => stream.Push(new float[1]));
        Assert.Throws<InvalidOperationException>(() => stream.Finish());
    }

    [Fact]
    public void A_stream_allocates_no_more_for_a_longer_signal()
    {
        var resampler = new Resampler(44_100, 48_000);
        var piece = Enumerable.Range(0, 65_536).Select(i => MathF.Sin(i * 0.01f)).ToArray();

        long Allocated(int pieces)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var stream = resampler.Start();
            for (var p = 0; p < pieces; p++)
            {
                stream.Push(piece);
            }

            stream.Finish();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(1);
        var few = Allocated(2);
        var many = Allocated(50); // 48 more pieces: 12.6 MB of floats in and out
        Assert.True(many - few < 64 * 1024, $"2 pieces: {few:N0} bytes allocated, 50 pieces: {many:N0}");
    }

    private static void AssertBitEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())));
    }

    private static float[] Streamed(Resampler resampler, float[] x, Func<Random, int> pieceLength)
    {
        var random = new Random(5);
        var stream = resampler.Start();
        var output = new List<float>();
        for (var at = 0; at < x.Length; )
        {
            var length = Math.Min(pieceLength(random), x.Length - at);
            output.AddRange(stream.Push(x.AsSpan(at, length)));
            at += length;
        }

        output.AddRange(stream.Finish());
        Assert.Equal(x.Length, stream.InputLength);
        return [.. output];
    }
}

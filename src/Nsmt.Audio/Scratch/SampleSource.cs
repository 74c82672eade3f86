namespace Nsmt.Audio;

/// <summary>
/// A mono signal read a range at a time: an array, or a stretch of a <see cref="ScratchFile"/>. Code written against it
/// runs on a recording of any length in bounded memory, and gives the same numbers on either (the same floats, visited
/// in the same order).
/// </summary>
public abstract class SampleSource
{
    /// <summary>Samples per piece that <see cref="Chunks"/> reads from a file: 1 MB of floats.</summary>
    public const int ChunkSamples = 1 << 18;

    public abstract int Length { get; }

    /// <summary>The samples of <paramref name="samples"/> (not copied).</summary>
    public static SampleSource Of(float[] samples) => new ArraySamples(samples);

    /// <summary>Samples [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of <paramref name="file"/> (not owned).</summary>
    public static SampleSource Of(ScratchFile file, long offset, int length) =>
        new ScratchSamples(file, offset, length);

    /// <summary>Copies samples [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    public void Read(int start, Span<float> destination)
    {
        if (start < 0 || start > Length - destination.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                start,
                $"samples [{start}, {start + (long)destination.Length}) must lie inside the {Length} samples"
            );
        }

        ReadChecked(start, destination);
    }

    /// <summary>Samples [start, start + length) as a new array.</summary>
    public float[] Read(int start, int length)
    {
        var samples = new float[length];
        Read(start, samples);
        return samples;
    }

    /// <summary>The whole signal: the array itself for an array's samples (not copied), else a new copy (for small data and tests).</summary>
    public virtual float[] AsArray() => Read(0, Length);

    /// <summary>
    /// Samples [<paramref name="start"/>, <paramref name="end"/>) in consecutive pieces, in order. A piece is valid until
    /// the next is asked for (a file's pieces share one buffer).
    /// </summary>
    public virtual IEnumerable<ReadOnlyMemory<float>> Chunks(int start, int end)
    {
        var buffer = new float[Math.Min(ChunkSamples, Math.Max(0, end - start))];
        for (var at = start; at < end; at += buffer.Length)
        {
            var piece = buffer.AsMemory(0, Math.Min(buffer.Length, end - at));
            Read(at, piece.Span);
            yield return piece;
        }
    }

    protected abstract void ReadChecked(int start, Span<float> destination);

    private sealed class ArraySamples(float[] samples) : SampleSource
    {
        private readonly float[] _samples = samples ?? throw new ArgumentNullException(nameof(samples));

        public override int Length => _samples.Length;

        public override float[] AsArray() => _samples;

        public override IEnumerable<ReadOnlyMemory<float>> Chunks(int start, int end)
        {
            if (end > start)
            {
                yield return _samples.AsMemory(start, end - start);
            }
        }

        protected override void ReadChecked(int start, Span<float> destination) =>
            _samples.AsSpan(start, destination.Length).CopyTo(destination);
    }

    private sealed class ScratchSamples : SampleSource
    {
        private readonly ScratchFile _file;
        private readonly long _offset;
        private readonly int _length;

        public ScratchSamples(ScratchFile file, long offset, int length)
        {
            ArgumentNullException.ThrowIfNull(file);
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            _file = file;
            _offset = offset;
            _length = length;
        }

        public override int Length => _length;

        protected override void ReadChecked(int start, Span<float> destination) =>
            _file.Read(_offset + start, destination);
    }
}

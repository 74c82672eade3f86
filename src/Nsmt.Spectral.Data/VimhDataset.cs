using System.Buffers.Binary;

namespace Nsmt.Spectral.Data;

/// <summary>
/// One split (train or test) in memory, laid out for training: all images in one contiguous block
/// (sample-major, each C*H*W planar), class indices per head, and the spectrogram scale factors.
/// </summary>
public sealed class VimhSplit
{
    internal VimhSplit(string path, int count, int height, int width, int channels, IReadOnlyList<ParameterSpec> heads)
    {
        Path = path;
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
        Heads = heads;
        Images = new byte[(long)count * ImageSize];
        SpecMin = new float[count];
        SpecMax = new float[count];
        Quantized = heads.Select(_ => new byte[count]).ToArray();
        Labels = heads.Select(_ => new int[count]).ToArray();
    }

    public string Path { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    public int Channels { get; }

    public int ImageSize => Height * Width * Channels;

    /// <summary>Count * C * H * W bytes; sample i at [i * ImageSize, (i+1) * ImageSize).</summary>
    public byte[] Images { get; }

    public float[] SpecMin { get; }

    public float[] SpecMax { get; }

    public IReadOnlyList<ParameterSpec> Heads { get; }

    /// <summary>Quantised label bytes (0..255): Quantized[head][sample].</summary>
    public byte[][] Quantized { get; }

    /// <summary>Class indices: Labels[head][sample] in [0, Heads[head].NumClasses).</summary>
    public int[][] Labels { get; }

    public ReadOnlySpan<byte> Image(int sample) => Images.AsSpan(sample * ImageSize, ImageSize);

    /// <summary>The decoded physical parameter value min + q/255*(max - min).</summary>
    public double Value(int head, int sample) => Heads[head].Decode(Quantized[head][sample]);
}

/// <summary>A VIMH dataset directory loaded into memory. Loading never writes to the directory.</summary>
public sealed class VimhDataset
{
    private VimhDataset(string directory, VimhInfo info, VimhSplit train, VimhSplit test)
    {
        Directory = directory;
        Info = info;
        Train = train;
        Test = test;
    }

    public string Directory { get; }

    public VimhInfo Info { get; }

    public VimhSplit Train { get; }

    /// <summary>NSMT also uses this split for validation.</summary>
    public VimhSplit Test { get; }

    public IReadOnlyList<ParameterSpec> Heads => Info.Heads;

    public IReadOnlyList<string> ParameterNames => Info.Heads.Select(h => h.Name).ToList();

    public IReadOnlyList<int> ClassCounts => Info.Heads.Select(h => h.NumClasses).ToList();

    public static VimhDataset Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = System.IO.Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new VimhDataException($"{full}: dataset directory not found");
        }

        var info = VimhInfo.Read(System.IO.Path.Combine(full, VimhFormat.InfoFileName));
        var name = System.IO.Path.GetFileName(full.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        if (VimhFormat.DimensionsFromName(name) is { } dims && dims != (info.Height, info.Width, info.Channels))
        {
            throw new VimhDataException(
                $"{full}: directory name says {dims.Height}x{dims.Width}x{dims.Channels} but {VimhFormat.InfoFileName} says "
                    + $"{info.Height}x{info.Width}x{info.Channels}"
            );
        }

        var train = ReadSplit(
            System.IO.Path.Combine(full, VimhFormat.TrainFileName),
            info,
            info.TrainSamples,
            "train_samples"
        );
        var test = ReadSplit(
            System.IO.Path.Combine(full, VimhFormat.TestFileName),
            info,
            info.TestSamples,
            "test_samples"
        );
        return new VimhDataset(full, info, train, test);
    }

    /// <summary>Reads one binary record file, checking every record against the JSON.</summary>
    public static VimhSplit ReadSplit(string path, VimhInfo info, int? expectedCount = null, string countField = "")
    {
        ArgumentNullException.ThrowIfNull(info);
        var heads = info.Heads.Count;
        var recordSize = VimhFormat.RecordSize(info.Height, info.Width, info.Channels, heads);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VimhDataException($"{path}: cannot read records: {e.Message}");
        }

        using (stream)
        {
            var length = stream.Length;
            var count = length / recordSize;
            if (count * recordSize != length)
            {
                // Find the first record whose header disagrees before blaming truncation, for a precise message.
                ValidateHeaders(stream, path, info, recordSize, count);
                throw new VimhDataException(
                    $"{path}: truncated record at byte offset {count * recordSize}: {length - (count * recordSize)} bytes "
                        + $"remain, a record is {recordSize} bytes ({info.Height}x{info.Width}x{info.Channels}, {heads} parameters)"
                );
            }

            if (expectedCount is { } expected && expected != count)
            {
                throw new VimhDataException(
                    $"{path}: holds {count} records but {VimhFormat.InfoFileName} field '{countField}' says {expected}"
                );
            }

            // The count comes from the real file length, but a real file can still exceed what one array holds.
            var imageBytes = count * VimhLimits.ImageBytes(info.Height, info.Width, info.Channels);
            if (imageBytes > VimhLimits.MaxSplitImageBytes)
            {
                throw new VimhDataException(
                    $"{path}: {count} records of {info.Height}x{info.Width}x{info.Channels} need {imageBytes} bytes of images in memory, "
                        + $"expected at most {VimhLimits.MaxSplitImageBytes} (VimhLimits.MaxSplitImageBytes, one array); split the dataset"
                );
            }

            var split = new VimhSplit(path, (int)count, info.Height, info.Width, info.Channels, info.Heads);
            var record = new byte[recordSize];
            for (var i = 0; i < count; i++)
            {
                var offset = (long)i * recordSize;
                stream.ReadExactly(record);
                CheckHeader(record, path, offset, info);
                split.SpecMin[i] = BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(6));
                split.SpecMax[i] = BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(10));
                var seen = new bool[heads];
                for (var p = 0; p < heads; p++)
                {
                    var id = record[15 + (2 * p)];
                    var q = record[16 + (2 * p)];
                    if (id >= heads)
                    {
                        throw new VimhDataException(
                            $"{path}: record at byte offset {offset}: parameter id {id} is out of range (dataset has {heads} parameters)"
                        );
                    }

                    if (seen[id])
                    {
                        throw new VimhDataException(
                            $"{path}: record at byte offset {offset}: parameter id {id} appears twice"
                        );
                    }

                    seen[id] = true;
                    split.Quantized[id][i] = q;
                    split.Labels[id][i] = info.Heads[id].ClassIndex(q);
                }

                record
                    .AsSpan(VimhFormat.FixedHeaderBytes + (2 * heads))
                    .CopyTo(split.Images.AsSpan((int)(i * (long)split.ImageSize)));
            }

            return split;
        }
    }

    private static void ValidateHeaders(FileStream stream, string path, VimhInfo info, int recordSize, long count)
    {
        var header = new byte[VimhFormat.FixedHeaderBytes];
        for (long i = 0; i <= count; i++)
        {
            var offset = i * recordSize;
            if (offset + header.Length > stream.Length)
            {
                return;
            }

            stream.Position = offset;
            stream.ReadExactly(header);
            CheckHeader(header, path, offset, info);
        }

        stream.Position = 0;
    }

    private static void CheckHeader(ReadOnlySpan<byte> record, string path, long offset, VimhInfo info)
    {
        int h = BinaryPrimitives.ReadUInt16LittleEndian(record);
        int w = BinaryPrimitives.ReadUInt16LittleEndian(record[2..]);
        int c = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        if ((h, w, c) != (info.Height, info.Width, info.Channels))
        {
            throw new VimhDataException(
                $"{path}: record at byte offset {offset} is {h}x{w}x{c} but {VimhFormat.InfoFileName} says {info.Height}x{info.Width}x{info.Channels}"
            );
        }

        int n = record[14];
        if (n != info.Heads.Count)
        {
            throw new VimhDataException(
                $"{path}: record at byte offset {offset} has N={n} parameters but {VimhFormat.InfoFileName} lists {info.Heads.Count}"
            );
        }
    }
}

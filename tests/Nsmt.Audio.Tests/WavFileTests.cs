using System.Buffers.Binary;

namespace Nsmt.Audio.Tests;

public class WavFileTests
{
    [Theory]
    [InlineData("pcm8_mono", 8000, 1, 19, WavSampleFormat.Pcm8)]
    [InlineData("pcm16_stereo", 8000, 2, 16, WavSampleFormat.Pcm16)]
    [InlineData("pcm24_3ch", 44100, 3, 16, WavSampleFormat.Pcm24)] // WAVE_FORMAT_EXTENSIBLE
    [InlineData("pcm32_stereo", 48000, 2, 16, WavSampleFormat.Pcm32)] // WAVE_FORMAT_EXTENSIBLE
    [InlineData("float32_stereo", 16000, 2, 16, WavSampleFormat.Float32)]
    [InlineData("float64_mono", 96000, 1, 16, WavSampleFormat.Float64)]
    [InlineData("pcm16_extra_chunks", 8000, 1, 15, WavSampleFormat.Pcm16)] // LIST (odd size) + JUNK
    public void Reads_sox_files_as_sox_decodes_them(
        string name,
        int rate,
        int channels,
        int frames,
        WavSampleFormat format
    )
    {
        var wav = TestFiles.Fixture("wav", name + ".wav");
        var expected = TestFiles.ReadSoxDat(TestFiles.Fixture("wav", name + ".dat"));

        var info = WavFile.ReadInfo(wav);
        Assert.Equal(new WavInfo(rate, channels, frames, format), info);

        var audio = WavFile.Read(wav);
        Assert.Equal(rate, audio.SampleRate);
        Assert.Equal(channels, audio.ChannelCount);
        Assert.Equal(frames, audio.Length);
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < frames; i++)
            {
                // sox prints ~11 significant digits; float32 keeps ~7.
                Assert.True(
                    Math.Abs(expected[c][i] - audio.Channels[c][i]) < 1e-6,
                    $"channel {c} frame {i}: sox {expected[c][i]}, ours {audio.Channels[c][i]}"
                );
            }
        }

        Assert.Contains(audio.Channels[0], x => x != 0f); // the fixture is not silence
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 1)]
    [InlineData(WavSampleFormat.Pcm16, 2)]
    [InlineData(WavSampleFormat.Pcm24, 3)]
    [InlineData(WavSampleFormat.Pcm32, 1)]
    [InlineData(WavSampleFormat.Float32, 2)]
    [InlineData(WavSampleFormat.Float64, 5)]
    public void Round_trips_every_format_exactly(WavSampleFormat format, int channels)
    {
        using var dir = new TempDir();
        var rng = new Random(1234);
        var bits = format.BitsPerSample();
        var frames = 1001; // odd, so 8-bit mono data needs a pad byte
        var data = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            data[c] = new float[frames];
            for (var i = 0; i < frames; i++)
            {
                var x = (rng.NextDouble() * 2) - 1;
                // Integer formats hold k/2^(bits-1) exactly; float32 cannot hold every 32-bit code, so use 24-bit steps there.
                data[c][i] = format.IsFloat()
                    ? (float)x
                    : (float)(
                        Math.Floor(x * Math.Pow(2, Math.Min(bits, 24) - 1)) / Math.Pow(2, Math.Min(bits, 24) - 1)
                    );
            }
        }

        data[0][0] = -1f; // the most negative code is representable
        var path = dir.File("x.wav");
        var result = WavFile.Write(path, new AudioBuffer(22050, data), format);

        Assert.Equal(0, result.ClippedSamples);
        var back = WavFile.Read(path);
        Assert.Equal(new WavInfo(22050, channels, frames, format), WavFile.ReadInfo(path));
        for (var c = 0; c < channels; c++)
        {
            Assert.Equal(data[c], back.Channels[c]);
        }

        var expectedLength = new FileInfo(path).Length;
        Assert.Equal(0, expectedLength % 2); // RIFF chunks are padded to even length
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8)]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Pcm24)]
    [InlineData(WavSampleFormat.Pcm32)]
    public void Integer_formats_saturate_and_count_clipped_samples(WavSampleFormat format)
    {
        using var dir = new TempDir();
        float[] samples = [1.5f, -2f, float.NaN, 1f, -1f, 0.25f, float.PositiveInfinity];
        var path = dir.File("clip.wav");

        var result = WavFile.Write(path, AudioBuffer.Mono(8000, samples), format);

        Assert.Equal(4, result.ClippedSamples); // 1.5, -2, NaN, +inf; +-1.0 are full scale, not clips
        var back = WavFile.Read(path).Channels[0];
        var top = 1f - (1f / (1L << (format.BitsPerSample() - 1)));
        Assert.Equal(top, back[0], 6);
        Assert.Equal(-1f, back[1]);
        Assert.Equal(0f, back[2]);
        Assert.Equal(top, back[3], 6);
        Assert.Equal(-1f, back[4]);
        Assert.Equal(0.25f, back[5]);
        Assert.Equal(top, back[6], 6);
    }

    [Fact]
    public void Float_formats_never_clip()
    {
        using var dir = new TempDir();
        var result = WavFile.Write(dir.File("f.wav"), AudioBuffer.Mono(8000, [3f, -4f]), WavSampleFormat.Float32);
        Assert.Equal(0, result.ClippedSamples);
        Assert.Equal([3f, -4f], WavFile.Read(dir.File("f.wav")).Channels[0]);
    }

    [Fact]
    public void Streaming_reader_in_small_blocks_matches_whole_file_read()
    {
        var wav = TestFiles.Fixture("wav", "pcm24_3ch.wav");
        var whole = WavFile.Read(wav);

        using var reader = WavReader.Open(wav);
        var planar = new float[3][] { new float[16], new float[16], new float[16] };
        var at = 0;
        int n;
        while ((n = reader.ReadFrames(planar, at, Math.Min(5, 16 - at))) > 0)
        {
            at += n;
        }

        Assert.Equal(16, at);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(whole.Channels[c], planar[c]);
        }

        using var interleavedReader = WavReader.Open(wav);
        var interleaved = new float[7 * 3]; // 7 frames per call, 16 frames in all
        var collected = new List<float>();
        while ((n = interleavedReader.ReadFrames(interleaved)) > 0)
        {
            collected.AddRange(interleaved.AsSpan(0, n * 3).ToArray());
        }

        Assert.Equal(16 * 3, collected.Count);
        for (var f = 0; f < 16; f++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(whole.Channels[c][f], collected[(f * 3) + c]);
            }
        }
    }

    [Fact]
    public void Accepts_float_file_with_16_byte_fmt_chunk_and_no_fact_chunk()
    {
        using var dir = new TempDir();
        var path = dir.File("short-fmt.wav");
        File.WriteAllBytes(
            path,
            WavBytes(
                formatTag: 3,
                channels: 1,
                rate: 8000,
                bits: 32,
                blockAlign: 4,
                data: [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-0.25f)]
            )
        );

        var audio = WavFile.Read(path);

        Assert.Equal(WavSampleFormat.Float32, WavFile.ReadInfo(path).Format);
        Assert.Equal([0.5f, -0.25f], audio.Channels[0]);
    }

    [Fact]
    public void Overwrites_existing_file_and_leaves_no_temporary_files()
    {
        using var dir = new TempDir();
        var path = dir.File("out.wav");
        File.WriteAllText(path, "old content");

        WavFile.Write(path, AudioBuffer.Mono(8000, [0.5f]), WavSampleFormat.Pcm16);

        Assert.Equal([0.5f], WavFile.Read(path).Channels[0]);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    public static TheoryData<string, byte[], string> MalformedFiles()
    {
        var good = WavBytes(1, 1, 8000, 16, 2, new byte[8]);
        var data = new TheoryData<string, byte[], string>
        {
            { "empty", [], "empty" },
            { "not RIFF", [.. "RIFX"u8, .. good[4..]], "not a RIFF file" },
            { "not WAVE", [.. good[..8], .. "AVI "u8, .. good[12..]], "expected 'WAVE'" },
            { "header only", good[..10], "too short" },
            { "truncated data", good[..^3], "truncated" },
            { "zero channels", WavBytes(1, 0, 8000, 16, 2, new byte[8]), "0 channels" },
            { "zero rate", WavBytes(1, 1, 0, 16, 2, new byte[8]), "sample rate 0" },
            { "ADPCM", WavBytes(2, 1, 8000, 4, 256, new byte[8]), "unsupported encoding" },
            { "12-bit PCM", WavBytes(1, 1, 8000, 12, 2, new byte[8]), "unsupported encoding" },
            { "block align", WavBytes(1, 2, 8000, 16, 2, new byte[8]), "block align is 2, expected 4" },
            { "partial frame", WavBytes(1, 2, 8000, 16, 4, new byte[6]), "whole number" },
            { "no data", good[..36], "no data chunk" },
        };

        var hugeData = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(hugeData.AsSpan(40), 0xFFFFFFF0);
        data.Add("huge data size", hugeData, "declares 4294967280 bytes");

        var hugeFmt = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(hugeFmt.AsSpan(16), 0x7FFFFFFF);
        data.Add("huge fmt size", hugeFmt, "fmt chunk declares");

        var shortFmt = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shortFmt.AsSpan(16), 14);
        data.Add("short fmt", shortFmt, "expected at least 16");

        byte[] noFmt = [.. good[..12], .. good[36..]];
        data.Add("no fmt", noFmt, "no fmt chunk");

        byte[] hugeJunk = [.. good[..12], .. "JUNK"u8, .. BitConverter.GetBytes(0xFFFFFFF0u), .. good[12..]];
        data.Add("huge unknown chunk", hugeJunk, "chunk 'JUNK'");
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_files_raise_WavFormatException_naming_file_and_reason(
        string name,
        byte[] bytes,
        string reason
    )
    {
        using var dir = new TempDir();
        var path = dir.File(name.Replace(' ', '_') + ".wav");
        File.WriteAllBytes(path, bytes);

        var read = Assert.Throws<WavFormatException>(() => WavFile.Read(path));
        var info = Assert.Throws<WavFormatException>(() => WavFile.ReadInfo(path));

        Assert.Contains(path, read.Message);
        Assert.Contains(reason, read.Message);
        Assert.Equal(read.Message, info.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path)); // reading never modifies the file
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 1)]
    [InlineData(WavSampleFormat.Pcm16, 2)]
    [InlineData(WavSampleFormat.Pcm24, 3)] // WAVE_FORMAT_EXTENSIBLE
    [InlineData(WavSampleFormat.Pcm32, 4)] // WAVE_FORMAT_EXTENSIBLE, 32-bit integer subformat
    [InlineData(WavSampleFormat.Float32, 1)]
    [InlineData(WavSampleFormat.Float64, 2)]
    public void Sox_reads_the_files_we_write_as_the_samples_we_wrote(WavSampleFormat format, int channels)
    {
        using var dir = new TempDir();
        var path = dir.File("ours.wav");
        const int frames = 257; // odd: 8-bit mono needs the RIFF pad byte
        var data = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            data[c] = Enumerable
                .Range(0, frames)
                .Select(i => (float)(0.9 * Math.Sin((0.05 + (0.01 * c)) * i)))
                .ToArray();
        }

        WavFile.Write(path, new AudioBuffer(44100, data), format);
        var sox = TestFiles.ReadSoxDat(TestFiles.Sox(path, "-t", "dat", "-"));

        Assert.Equal(channels, sox.Length);
        var step = format.IsFloat() ? 1e-6f : 1f / (1 << (format.BitsPerSample() - 1));
        for (var c = 0; c < channels; c++)
        {
            Assert.Equal(frames, sox[c].Length);
            for (var i = 0; i < frames; i++)
            {
                // Within half a code of the input (rounding), plus sox's printed precision.
                Assert.True(
                    Math.Abs(sox[c][i] - data[c][i]) <= (step / 2) + 1e-6,
                    $"channel {c} frame {i}: wrote {data[c][i]}, sox reads {sox[c][i]}"
                );
            }
        }
    }

    [Fact]
    public void Files_NAudio_alone_would_read_are_refused_with_the_reason()
    {
        // A data chunk that claims more bytes than the file holds (a recording cut off mid-write): NAudio 3.3
        // opens it and silently reads shorter audio; the header parser in front of it refuses it and says why.
        var good = WavBytes(1, 1, 8000, 16, 2, new byte[8]);
        var truncated = good[..^4];
        using (var lenient = new NAudio.Wave.WaveFileReader(new MemoryStream(truncated)))
        {
            Assert.Equal(4, lenient.Length);
        }

        using var dir = new TempDir();
        var path = dir.File("truncated.wav");
        File.WriteAllBytes(path, truncated);
        var e = Assert.Throws<WavFormatException>(() => WavFile.Read(path));
        Assert.Contains("data chunk at byte 36 declares 8 bytes but only 4 remain", e.Message);
    }

    [Fact]
    public void Fuzzing_finding_an_extensible_file_with_a_foreign_subformat_guid_is_refused_with_the_reason()
    {
        // AFL++ (bench/fuzz) changed bytes of a PCM SubFormat GUID after its first two: the file passed the header
        // checks, then NAudio's converter threw ArgumentException ("Unsupported source encoding").
        using var dir = new TempDir();
        var path = dir.File("guid.wav");
        WavFile.Write(path, new AudioBuffer(8000, [new float[4], new float[4], new float[4]]), WavSampleFormat.Pcm16);
        var bytes = File.ReadAllBytes(path);
        var guid = 12 + 8 + 24; // RIFF header, fmt header, WAVEFORMATEX + cbSize/validBits/channelMask
        Assert.Equal(0xFFFE, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));
        bytes[guid + 12] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<WavFormatException>(() => WavFile.Read(path));
        Assert.Contains("SubFormat GUID is not a PCM or IEEE float one", e.Message);
    }

    [Fact]
    public void Fuzzing_finding_a_second_fmt_chunk_after_the_data_is_refused_as_ambiguous()
    {
        // AFL++ spliced a second fmt chunk (block align 180) behind the data: NAudio took the last fmt, our parser the
        // first, and the read died in NAudio with ArgumentException ("Must read complete blocks").
        var first = WavBytes(1, 1, 8000, 16, 2, new byte[8]);
        byte[] secondFmt =
        [
            .. "fmt "u8,
            .. BitConverter.GetBytes(16u),
            .. BitConverter.GetBytes((ushort)1),
            .. BitConverter.GetBytes((ushort)1),
            .. BitConverter.GetBytes(8000u),
            .. BitConverter.GetBytes(8000u * 180),
            .. BitConverter.GetBytes((ushort)180),
            .. BitConverter.GetBytes((ushort)16),
        ];
        byte[] bytes = [.. first, .. secondFmt];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        using var dir = new TempDir();
        var path = dir.File("two_fmt.wav");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<WavFormatException>(() => WavFile.Read(path));
        Assert.Contains("ambiguous chunk layout", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Missing_file_is_a_WavFormatException_naming_it()
    {
        var e = Assert.Throws<WavFormatException>(() => WavFile.Read("/nonexistent/dir/x.wav"));
        Assert.Contains("/nonexistent/dir/x.wav", e.Message);
    }

    /// <summary>Hand-built canonical WAV (16-byte fmt chunk), for malformed-input tests.</summary>
    internal static byte[] WavBytes(
        ushort formatTag,
        ushort channels,
        uint rate,
        ushort bits,
        ushort blockAlign,
        byte[] data
    )
    {
        var b = new List<byte>();
        b.AddRange("RIFF"u8.ToArray());
        b.AddRange(BitConverter.GetBytes((uint)(36 + data.Length)));
        b.AddRange("WAVEfmt "u8.ToArray());
        b.AddRange(BitConverter.GetBytes(16u));
        b.AddRange(BitConverter.GetBytes(formatTag));
        b.AddRange(BitConverter.GetBytes(channels));
        b.AddRange(BitConverter.GetBytes(rate));
        b.AddRange(BitConverter.GetBytes(rate * blockAlign));
        b.AddRange(BitConverter.GetBytes(blockAlign));
        b.AddRange(BitConverter.GetBytes(bits));
        b.AddRange("data"u8.ToArray());
        b.AddRange(BitConverter.GetBytes((uint)data.Length));
        b.AddRange(data);
        return [.. b];
    }
}

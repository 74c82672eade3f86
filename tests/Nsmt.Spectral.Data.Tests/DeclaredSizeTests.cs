using System.Globalization;
using Xunit.Abstractions;

namespace Nsmt.Spectral.Data.Tests;

/// <summary>
/// Every size a dataset or config declares (image dimensions, sample counts, class counts, parameter counts,
/// the info file's own length) is checked against the file or a VimhLimits bound before anything is allocated:
/// a file of a few hundred bytes declaring 2^31 or more is refused by name, fast and small.
/// </summary>
public sealed class DeclaredSizeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A 1-head info JSON; <paramref name="extra"/> is spliced in as further top-level fields.</summary>
    private static string Info(
        long height,
        long width,
        long channels,
        string extra = "",
        string step = "0.1",
        string max = "1",
        int heads = 1
    )
    {
        var names = Enumerable.Range(0, heads).Select(i => $"\"p{i}\"").ToList();
        var mappings = Enumerable
            .Range(0, heads)
            .Select(i => $"\"p{i}\": {{\"min\": 0, \"max\": {max}, \"step\": {step}}}");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"dataset_name\": \"hostile\", \"height\": {height}, \"width\": {width}, \"channels\": {channels}, "
                + $"\"parameter_names\": [{string.Join(", ", names)}], \"parameter_mappings\": {{{string.Join(", ", mappings)}}}{extra}}}"
        );
    }

    /// <summary>A dataset directory (not named by the vimh- convention) with this info and small real 1x1x1 record files.</summary>
    private string Dataset(string info, int trainRecords = 5, int testRecords = 1)
    {
        var ds = Directory.CreateDirectory(_dir.File("hostile")).FullName;
        File.WriteAllText(Path.Combine(ds, VimhFormat.InfoFileName), info);
        File.WriteAllBytes(Path.Combine(ds, VimhFormat.TrainFileName), Records(trainRecords));
        File.WriteAllBytes(Path.Combine(ds, VimhFormat.TestFileName), Records(testRecords));
        return ds;
    }

    private static byte[] Records(int count)
    {
        var size = VimhFormat.RecordSize(1, 1, 1, 1);
        var bytes = new byte[count * size];
        for (var i = 0; i < count; i++)
        {
            VimhRecord.Write(bytes.AsSpan(i * size), 1, 1, 1, 0f, 1f, [128], [7]);
        }

        return bytes;
    }

    private VimhDataException LoadFails(string ds, params string[] expected)
    {
        var (error, cost) = Bounded.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        output.WriteLine($"{cost}: {error.Message}");
        foreach (var part in expected)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        return error;
    }

    [Fact]
    public void The_hostile_fixture_loads_with_sane_sizes()
    {
        // Guards the tests below: only the declared size they change makes the load fail.
        var dataset = VimhDataset.Load(Dataset(Info(1, 1, 1, ", \"train_samples\": 5, \"test_samples\": 1")));
        Assert.Equal(5, dataset.Train.Count);
        Assert.Equal(11, dataset.ClassCounts[0]);
    }

    [Theory]
    [InlineData(65535, 65535, 65535)] // 2.8e14 bytes; wrapped to a negative int record size before
    [InlineData(65535, 65535, 3)] // 1.3e10 bytes
    [InlineData(32768, 65535, 1)] // 2^31 - 32768 bytes: fits an int, not memory
    public void Image_dimensions_whose_product_exceeds_the_limit_are_refused_before_reading_records(int h, int w, int c)
    {
        var ds = Dataset(Info(h, w, c));
        LoadFails(
            ds,
            Path.Combine(ds, VimhFormat.InfoFileName),
            "'height' x 'width' x 'channels'",
            $"{(long)h * w * c} bytes per image",
            "VimhLimits.MaxImageBytes"
        );
    }

    [Fact]
    public void Record_size_of_65535_cubed_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => VimhFormat.RecordSize(65535, 65535, 65535, 1));
    }

    [Theory]
    [InlineData("train_samples", "2147483648")]
    [InlineData("train_samples", "4294967296")]
    [InlineData("test_samples", "9223372036854775808")]
    [InlineData("test_samples", "1e30")]
    public void Sample_counts_of_2_to_the_31_or_more_are_refused_naming_the_field(string field, string value)
    {
        var ds = Dataset(Info(1, 1, 1, $", \"{field}\": {value}"));
        LoadFails(ds, $"field '{field}': expected an integer in [0, 2147483647], got {value}");
    }

    [Fact]
    public void Sample_count_of_2_to_the_31_minus_1_is_compared_with_the_file_before_allocating()
    {
        var ds = Dataset(Info(1, 1, 1, ", \"train_samples\": 2147483647"));
        LoadFails(
            ds,
            Path.Combine(ds, VimhFormat.TrainFileName),
            "holds 5 records but vimh_dataset_info.json field 'train_samples' says 2147483647"
        );
    }

    [Theory]
    [InlineData("1", "1e-300", "1E+300 classes")] // (int)round(1e300) + 1 wrapped to int.MinValue before
    [InlineData("2147483648", "1", "2.14748E+09 classes")]
    [InlineData("65536", "1", "65537 classes")]
    public void Class_counts_above_the_limit_are_refused_naming_the_parameter(string max, string step, string classes)
    {
        var ds = Dataset(Info(1, 1, 1, step: step, max: max));
        LoadFails(ds, "field 'parameter_mappings.p0'", classes, "VimhLimits.MaxClasses");
    }

    [Fact]
    public void More_parameters_than_a_record_can_count_are_refused()
    {
        var ds = Dataset(Info(1, 1, 1, heads: 256));
        LoadFails(ds, "field 'parameter_names': lists 256 parameters", "VimhLimits.MaxParameters");
    }

    [Fact]
    public void Info_file_of_2_GiB_is_refused_without_being_read()
    {
        var ds = Dataset(Info(1, 1, 1));
        var info = Path.Combine(ds, VimhFormat.InfoFileName);
        using (var stream = File.OpenWrite(info))
        {
            stream.SetLength(1L << 31); // sparse: costs no disk
        }

        LoadFails(ds, info, $"dataset info is {1L << 31} bytes", "VimhLimits.MaxInfoBytes");
    }

    [Fact]
    public void Split_too_large_for_one_array_is_refused_before_allocating()
    {
        // 256x256x3 records: 10,923 of them are 2^31 + 65,536 image bytes, more than one array holds.
        var infoPath = _dir.File(VimhFormat.InfoFileName);
        File.WriteAllText(infoPath, Info(256, 256, 3));
        var info = VimhInfo.Read(infoPath);
        var train = _dir.File(VimhFormat.TrainFileName);
        using (var stream = File.OpenWrite(train))
        {
            stream.SetLength(10_923L * VimhFormat.RecordSize(256, 256, 3, 1)); // sparse
        }

        var (error, cost) = Bounded.Throws<VimhDataException>(() => VimhDataset.ReadSplit(train, info));
        output.WriteLine($"{cost}: {error.Message}");
        Assert.Contains(train, error.Message, StringComparison.Ordinal);
        Assert.Contains("10923 records of 256x256x3 need 2147549184 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("VimhLimits.MaxSplitImageBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_config_file_of_2_GiB_is_refused_without_being_read()
    {
        var path = _dir.File("huge.yaml");
        using (var stream = File.OpenWrite(path))
        {
            stream.SetLength(1L << 31); // sparse
        }

        var (error, cost) = Bounded.Throws<Nsmt.Config.ConfigException>(() => Config.GeneratorConfig.Load(path));
        output.WriteLine($"{cost}: {error.Message}");
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(
            $"the file is {1L << 31} bytes, expected at most 1048576 (YamlGuard.MaxFileBytes)",
            error.Message,
            StringComparison.Ordinal
        );
    }

    [Theory]
    [InlineData("generate.height=65535,generate.width=65535,generate.channels=3", "VimhLimits.MaxImageBytes")]
    [InlineData(
        "generate.height=4096,generate.width=4096,generate.level=both",
        "4096x4096x2 = 33554432 bytes per image"
    )]
    [InlineData("dataset.duration=3600,dataset.sampling_rate=1000000", "VimhLimits.MaxClipSamples")]
    [InlineData("dataset.size=2147483648", "field 'dataset.size'")]
    [InlineData("synthesizer.parameters.note_velocity.step=1e-300", "VimhLimits.MaxClasses")]
    public void Generator_config_sizes_above_the_limits_are_refused_naming_the_field(string overrides, string expected)
    {
        var (error, cost) = Bounded.Throws<Nsmt.Config.ConfigException>(() =>
            TestSupport.Config("simple_saw", overrides.Split(','))
        );
        output.WriteLine($"{cost}: {error.Message}");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

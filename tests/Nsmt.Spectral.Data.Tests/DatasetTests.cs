using System.Text.Json;
using Nsmt.Config;
using Nsmt.Spectral.Data.Generation;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Tests;

public class DatasetTests
{
    [Fact]
    public void Info_json_is_byte_identical_to_what_NSMT_writes()
    {
        var config = TestSupport.Config("simple_saw");

        var ours = PythonJson.Serialize(VimhInfoWriter.Build(config, 204, 52, extra: null));

        Assert.Equal(File.ReadAllText(TestSupport.Fixture("simple_saw_info.json")), ours);
    }

    [Fact]
    public void Floats_are_formatted_like_python_repr()
    {
        foreach (
            var pair in JsonDocument
                .Parse(File.ReadAllText(TestSupport.Fixture("python_float_repr.json")))
                .RootElement.EnumerateArray()
        )
        {
            var value = BitConverter.UInt64BitsToDouble(pair[0].GetUInt64());
            Assert.Equal(pair[1].GetString(), PythonJson.FormatFloat(value));
        }
    }

    [Fact]
    public void Same_config_and_seed_give_identical_bytes_whatever_the_thread_count()
    {
        using var dir = new TempDir();
        var config = TestSupport.Config("moog_basic", "dataset.size=200", "seed=7");

        var one = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File("a"), MaxDegreeOfParallelism = 1 }
        );
        var many = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File("b"), MaxDegreeOfParallelism = 7 }
        );

        foreach (var file in new[] { "train", "test", VimhFormat.InfoFileName })
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(one.DatasetDirectory, file)),
                File.ReadAllBytes(Path.Combine(many.DatasetDirectory, file))
            );
        }

        var otherSeed = DatasetGenerator.Generate(
            config with
            {
                Seed = 8,
            },
            new GenerationOptions { OutputDirectory = dir.File("c") }
        );
        Assert.NotEqual(
            File.ReadAllBytes(Path.Combine(one.DatasetDirectory, "train")),
            File.ReadAllBytes(Path.Combine(otherSeed.DatasetDirectory, "train"))
        );
    }

    [Fact]
    public void Generated_dataset_loads_back_with_split_labels_and_images()
    {
        using var dir = new TempDir();
        var config = TestSupport.Config("simple_saw", "dataset.size=50");
        var result = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File(config.DatasetName) }
        );
        var before = Directory.GetFiles(result.DatasetDirectory).ToDictionary(f => f, File.ReadAllBytes);

        var ds = VimhDataset.Load(result.DatasetDirectory);

        Assert.Equal((40, 10), (ds.Train.Count, ds.Test.Count)); // floor(0.8 * 50)
        Assert.Equal(["note_velocity", "log10_decay_time"], ds.ParameterNames);
        Assert.Equal([3, 24], ds.ClassCounts);
        Assert.Equal(40 * 32 * 32, ds.Train.Images.Length);
        // Sample 41 overall is test[1]; re-render it from its decoded labels' source values via the generator.
        var trainFile = File.ReadAllBytes(Path.Combine(result.DatasetDirectory, "train"));
        Assert.Equal(trainFile.AsSpan(5 * 1043 + 19, 1024).ToArray(), ds.Train.Image(5).ToArray());
        for (var h = 0; h < 2; h++)
        {
            for (var i = 0; i < ds.Train.Count; i++)
            {
                Assert.InRange(ds.Train.Labels[h][i], 0, ds.ClassCounts[h] - 1);
                Assert.Equal(ds.Heads[h].ClassIndex(ds.Train.Quantized[h][i]), ds.Train.Labels[h][i]);
            }
        }

        Assert.True(ds.Train.SpecMax[0] > ds.Train.SpecMin[0]);
        Assert.True(File.Exists(result.PreviewPath));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(result.PreviewPath!)[..4]);
        Assert.Contains("note_velocity: 3 classes", result.Summary);
        // Loading never writes to the dataset directory.
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(result.DatasetDirectory).Order());
        foreach ((var f, var bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(f));
        }
    }

    [Fact]
    public void Grid_sampling_covers_every_combination_exactly_once()
    {
        using var dir = new TempDir();
        var config = TestSupport.Config("simple_saw", "sampling=grid", "dataset.size=72", "shuffle=true");

        var result = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File("g"), WriteReports = false }
        );
        var ds = VimhDataset.Load(result.DatasetDirectory);

        var seen = new HashSet<(int, int)>();
        foreach (var split in new[] { ds.Train, ds.Test })
        {
            for (var i = 0; i < split.Count; i++)
            {
                Assert.True(
                    seen.Add((split.Labels[0][i], split.Labels[1][i])),
                    $"combination ({split.Labels[0][i]}, {split.Labels[1][i]}) twice"
                );
            }
        }

        Assert.Equal(3 * 24, seen.Count);
        Assert.EndsWith("_72dss_simple_2p_shuffled", config.DatasetName);
    }

    [Fact]
    public void Grid_sampling_with_wrong_size_names_the_expected_size()
    {
        var e = Assert.Throws<ConfigException>(() => TestSupport.Config("simple_saw", "sampling=grid"));
        Assert.Contains("dataset.size must be 72, got 256", e.Message);
    }

    [Fact]
    public void Dataset_names_follow_the_convention()
    {
        Assert.Equal("vimh-32x32x1_8000Hz_1p0s_256dss_simple_2p", TestSupport.Config("simple_saw").DatasetName);
        Assert.Equal("vimh-32x64x1_8000Hz_2p0s_512dss_simple_10p", TestSupport.Config("moog_envelope").DatasetName);
        Assert.Equal("vimh-48x48x1_8000Hz_1p5s_384dss_simple_8p", TestSupport.Config("moog_resonance").DatasetName);
        Assert.Equal(
            "vimh-32x32x3_8000Hz_1p0s_256dss_simple_2p_normalized_shuffled",
            TestSupport
                .Config(
                    "simple_saw",
                    "generate.temporal_envelope=true",
                    "generate.spectral_envelope=true",
                    "generate.normalize=true",
                    "shuffle=true"
                )
                .DatasetName
        );
    }
}

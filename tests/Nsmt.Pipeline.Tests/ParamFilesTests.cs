using Nsmt.Pipeline.Fingerprints;

namespace Nsmt.Pipeline.Tests;

public sealed class ParamFilesTests
{
    [Fact]
    public void A_defaults_list_is_read_as_the_stage_reads_it_so_the_composed_files_reach_the_fingerprint()
    {
        using var workspace = new TestWorkspace();
        workspace.Write(
            "configs/amp/recipe.yaml",
            "training:\n  lr: 0.004\n  epochs: 25\nmodel:\n  preset: standard\n"
        );
        workspace.Write("configs/amp/default.yaml", "defaults: [recipe]\ndata:\n  seconds: 30\n");
        workspace.Write("configs/amp/quick.yaml", "defaults: [default]\ntraining:\n  epochs: 6\n");

        var values = new ParamFiles(workspace.Root).Read("configs/amp/quick.yaml");

        Assert.Equal(
            ["data.seconds", "model.preset", "training.epochs", "training.lr"],
            values.Keys.Order(StringComparer.Ordinal)
        );
        Assert.Equal("6", values["training.epochs"].ToString());
        Assert.Equal("0.004", values["training.lr"].ToString());

        workspace.Write(
            "configs/amp/recipe.yaml",
            "training:\n  lr: 0.001\n  epochs: 25\nmodel:\n  preset: standard\n"
        );
        Assert.Equal("0.001", new ParamFiles(workspace.Root).Read("configs/amp/quick.yaml")["training.lr"].ToString());
    }

    [Fact]
    public void A_defaults_mapping_stays_a_value_and_a_cycle_is_an_error()
    {
        using var workspace = new TestWorkspace();
        workspace.Write("configs/experiment/x.yaml", "defaults:\n  data: simple_saw\n  model: cnn_micro\nseed: 1\n");
        workspace.Write("configs/amp/a.yaml", "defaults: [b]\n");
        workspace.Write("configs/amp/b.yaml", "defaults: [a]\n");

        var spectral = new ParamFiles(workspace.Root).Read("configs/experiment/x.yaml");
        Assert.Equal("\"cnn_micro\"", spectral["defaults.model"].ToString());

        var error = Assert.Throws<PipelineException>(() => new ParamFiles(workspace.Root).Read("configs/amp/a.yaml"));
        Assert.Contains("configs/amp/a.yaml", error.Message, StringComparison.Ordinal);
    }
}

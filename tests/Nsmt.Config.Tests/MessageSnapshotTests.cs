namespace Nsmt.Config.Tests;

/// <summary>
/// The exact text of the errors for the common mistakes, pinned as snapshots: a message that loses its location,
/// key, expectation or suggestion fails here.
/// </summary>
public class MessageSnapshotTests
{
    private const string Yaml = "trainer:\n  max_epochs: 3\n  threads: two\nmodel:\n  lr: 0.1\n";

    private static ConfigException Bind(string yaml, params string[] overrides)
    {
        var root = ConfigYaml.Parse(yaml, "configs/x.yaml");
        foreach (var o in overrides)
        {
            ConfigOverride.Parse(o).ApplyTo(root, strict: false);
        }

        var r = new ConfigReader(root, "configs/x.yaml");
        return Assert.Throws<ConfigException>(() =>
        {
            r.Int("trainer.max_epochs", 1, 1);
            r.Int("trainer.threads", 0, 0);
            r.Double("model.lr", 1e-3, 0);
            r.Choice("model.mode", "classification", "classification", "regression");
            r.RejectUnknown();
        });
    }

    [Fact]
    public void Common_mistakes() =>
        Snapshot.Verify(
            string.Join(
                "\n",
                new[]
                {
                    Bind(Yaml).Message,
                    Bind(
                        Yaml.Replace("threads: two", "threads: 2", StringComparison.Ordinal)
                            .Replace("max_epochs", "max_epoch", StringComparison.Ordinal)
                    ).Message,
                    Bind(
                        Yaml.Replace("threads: two", "threads: 2", StringComparison.Ordinal),
                        "model.mode=clasification"
                    ).Message,
                    Bind(Yaml.Replace("threads: two", "threads: 2", StringComparison.Ordinal), "model.lrr=3").Message,
                    Assert.Throws<ConfigException>(() => ConfigYaml.ReadFile("configs/no-such-file.yaml")).Message,
                    Assert
                        .Throws<ConfigException>(() =>
                            ConfigOverride.Parse("trainer.max_epochs").ApplyTo(new ConfigMapping("x"))
                        )
                        .Message,
                    Assert
                        .Throws<ConfigException>(() =>
                            ConfigOverride
                                .Parse("trainer.max_epocs=3")
                                .ApplyTo(ConfigYaml.Parse(Yaml, "configs/x.yaml"))
                        )
                        .Message,
                }
            ) + "\n"
        );
}

namespace Nsmt.Config.Tests;

/// <summary>
/// The describe report (which config keys a program read, and their values per file), written from a source-generated
/// record, is the bytes main's hand-written Utf8JsonWriter gave (the expected text below; this test passed on main's
/// writer before the conversion), and reads back to the same report.
/// </summary>
public sealed class ConfigReadsJsonTests
{
    private const string Report = """
        {
          "keys": [
            "model.lr",
            "model.name",
            "trainer.max_epochs"
          ],
          "files": {
            "configs/model/cnn.yaml": {
              "model.lr": "0.001",
              "model.name": "\u0027cnn \u002B \u003Chead\u003E\u0027"
            },
            "configs/train.yaml": {
              "trainer.max_epochs": "3"
            }
          }
        }
        """;

    [Fact]
    public void The_describe_report_is_mains_bytes_and_reads_back()
    {
        var reads = ConfigReads.FromJson(Report, "report.json");

        Assert.Equal(Report, reads.ToJson().ReplaceLineEndings("\n"));
        Assert.Equal(["model.lr", "model.name", "trainer.max_epochs"], reads.Keys);
        Assert.Equal(
            "cnn + <head>",
            Assert.IsType<ConfigScalar>(reads.Files["configs/model/cnn.yaml"]["model.name"]).Text
        );
    }
}

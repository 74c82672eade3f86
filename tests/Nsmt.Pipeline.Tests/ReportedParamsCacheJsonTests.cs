using Nsmt.Pipeline.Fingerprints;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// A reported-parameters cache entry, written from a source-generated record, is the bytes main's hand-written
/// Utf8JsonWriter gave (the expected text below; this test passed on main's writer before the conversion).
/// </summary>
public sealed class ReportedParamsCacheJsonTests
{
    [Fact]
    public void A_cache_entry_is_mains_bytes()
    {
        var hashes = new Dictionary<string, string>
        {
            ["configs/train.yaml"] = "ab12",
            ["configs/model/cnn+1.yaml"] = "cd34",
        };

        Assert.Equal(
            """{"hashes":{"configs/train.yaml":"ab12","configs/model/cnn\u002B1.yaml":"cd34"},"report":"{\n  \u0022keys\u0022: [\u0027a\u0027]\n}"}""",
            ReportedParams.CacheEntry(hashes, "{\n  \"keys\": ['a']\n}")
        );
    }
}

using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>Inputs AFL++ found (bench/fuzz, minimised) that escaped the .nam reader with undocumented exceptions.</summary>
public class FuzzFindingTests
{
    [Fact]
    public void A_nam_file_with_invalid_utf8_inside_a_string_is_refused_naming_the_file()
    {
        // JsonDocument accepted the text and threw InvalidOperationException when the string was read.
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-fuzz-{Guid.NewGuid():N}.nam");
        File.WriteAllBytes(
            path,
            [
                .. "{\"version\": \"0.5.4\", \"architecture\": \""u8,
                0xC3,
                0x28,
                .. "\", \"config\": {}, \"weights\": []}"u8,
            ]
        );
        try
        {
            var e = Assert.Throws<NamFormatException>(() => NamFile.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("not valid UTF-8 text (at byte 38)", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

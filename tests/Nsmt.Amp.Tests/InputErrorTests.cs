using Nsmt.Amp.Format;
using Nsmt.Amp.Ingest;
using Nsmt.Audio;
using Nsmt.Core;

namespace Nsmt.Amp.Tests;

/// <summary>The libraries' bad-input errors are one kind (what a stage catches), with their messages and details kept.</summary>
public sealed class InputErrorTests
{
    [Fact]
    public void Wav_nam_and_ingest_errors_are_input_errors_that_name_their_file()
    {
        NsmtInputException wav = new WavFormatException("a.wav", "truncated");
        Assert.Equal("a.wav: truncated", wav.Message);
        Assert.Equal("a.wav", wav.Location);

        NsmtInputException nam = new NamFormatException("m.nam", "config.layers", "must be a list");
        Assert.Equal("m.nam: config.layers: must be a list", nam.Message);
        Assert.Equal(("m.nam", "config.layers"), (nam.Location, nam.Field));

        NsmtInputException ingest = new IngestException("reamp.wav", "length", "at least 10 frames", "9 frames");
        Assert.Equal("reamp.wav: length: expected at least 10 frames, got 9 frames", ingest.Message);
        Assert.Equal(("reamp.wav", "length"), (ingest.Location, ingest.Field));
    }

    [Fact]
    public void A_nam_error_without_a_file_has_no_location()
    {
        NsmtInputException nam = new NamFormatException(null, "weights", "expected 3 weights, got 2");
        Assert.Null(nam.Location);
        Assert.Equal("weights: expected 3 weights, got 2", nam.Message);
    }
}

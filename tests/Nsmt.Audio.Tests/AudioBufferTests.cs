namespace Nsmt.Audio.Tests;

public class AudioBufferTests
{
    [Fact]
    public void Downmix_averages_the_channels_sample_by_sample()
    {
        var stereo = new AudioBuffer(
            48000,
            [
                [1f, -0.5f, 0.25f],
                [0f, 0.5f, 0.75f],
            ]
        );
        Assert.Equal([0.5f, 0f, 0.5f], stereo.Downmix());

        float[] samples = [0.1f, 0.2f];
        var mono = AudioBuffer.Mono(48000, samples).Downmix();
        Assert.Equal(samples, mono);
        Assert.NotSame(samples, mono); // a copy: the caller may change it
    }
}

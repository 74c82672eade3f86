namespace Nsmt.Spectral.Data;

/// <summary>
/// Upper bounds on the sizes a VIMH dataset or generator config may declare, checked before anything is
/// allocated. Real datasets are small (NSMT's largest images are 256x256x3 = 192 KiB, with a few heads of at
/// most a few hundred classes), so these only refuse declarations that would overflow 32-bit sizes or exhaust
/// memory (e.g. 65535x65535x3 images, a step of 1e-300 giving 10^300 classes).
/// </summary>
public static class VimhLimits
{
    /// <summary>Bytes of one image, H*W*C (16 MiB: 2048x2048x3 fits; 85x NSMT's largest).</summary>
    public const int MaxImageBytes = 1 << 24;

    /// <summary>Varying parameters (heads): a record stores their count N in one byte.</summary>
    public const int MaxParameters = byte.MaxValue;

    /// <summary>Classes of one head, round((max - min)/step) + 1; each becomes a model output.</summary>
    public const int MaxClasses = 1 << 16;

    /// <summary>Size of vimh_dataset_info.json (real files are a few kB); it is read whole.</summary>
    public const int MaxInfoBytes = 16 << 20;

    /// <summary>Audio samples of one generated clip, duration * sampling_rate (16 Mi: 6 min at 44.1 kHz; NSMT uses 1 s).</summary>
    public const int MaxClipSamples = 1 << 24;

    /// <summary>Image bytes of one split held in memory: one array, so at most <see cref="Array.MaxLength"/>.</summary>
    public static long MaxSplitImageBytes => Array.MaxLength;

    /// <summary>H*W*C in 64-bit arithmetic, so 65535^3 cannot wrap around.</summary>
    public static long ImageBytes(long height, long width, long channels) => height * width * channels;
}

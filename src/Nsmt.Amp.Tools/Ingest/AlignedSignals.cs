using Nsmt.Audio;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// An aligned input/output pair that training reads a window at a time: two <see cref="SampleSource"/>s of one length,
/// over two arrays or over two stretches of one scratch file that the pair owns, so that a long recording costs disk,
/// not memory (issue 23 item 13: a 2-hour pair held 8.5 GB). Reads return the very floats that were stored, so training
/// on either gives the same weights. <see cref="CapturePair.LoadStreamed"/> writes a recording's pair straight to the
/// file; <see cref="Spill(float[], float[], string?)"/> writes one held in memory.
/// </summary>
public sealed class AlignedSignals : IDisposable
{
    private readonly ScratchFile? _file;

    private AlignedSignals(SampleSource input, SampleSource output, ScratchFile? file)
    {
        RequireSameLength(input.Length, output.Length);
        Input = input;
        Output = output;
        _file = file;
    }

    /// <summary>The DI, aligned: Input[i] produced Output[i].</summary>
    public SampleSource Input { get; }

    /// <summary>The reamp, aligned.</summary>
    public SampleSource Output { get; }

    /// <summary>Samples in each signal.</summary>
    public int Length => Input.Length;

    /// <summary>Whether the pair lives in a scratch file (else in two arrays).</summary>
    public bool IsSpilled => _file is not null;

    /// <summary>The pair as given, held in memory (the arrays are not copied).</summary>
    public static AlignedSignals InMemory(float[] input, float[] output) =>
        new(SampleSource.Of(input), SampleSource.Of(output), null);

    /// <summary>
    /// The pair written to an anonymous scratch file in <paramref name="directory"/> (default: the temp directory,
    /// TMPDIR), which nothing else can open and which is gone when the process ends, however it ends.
    /// </summary>
    public static AlignedSignals Spill(float[] input, float[] output, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        // Checked before the file is made, so a mismatch leaves nothing behind.
        RequireSameLength(input.Length, output.Length);
        var file = ScratchFile.Create(directory);
        try
        {
            file.Write(0, input);
            file.Write(input.Length, output);
            return InScratch(file, 0, input.Length, input.Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>This pair in a scratch file: itself when it already is in one, else a copy of its arrays (<see cref="Spill(float[], float[], string?)"/>).</summary>
    public AlignedSignals Spill(string? directory = null) =>
        IsSpilled ? this : Spill(Input.AsArray(), Output.AsArray(), directory);

    /// <summary>Two stretches of <paramref name="file"/>, which the pair then owns (disposed with it).</summary>
    /// <param name="inputOffset">Where the input starts in the file, in samples.</param>
    /// <param name="outputOffset">Where the output starts in the file, in samples.</param>
    /// <param name="length">Samples in each signal.</param>
    internal static AlignedSignals InScratch(ScratchFile file, long inputOffset, long outputOffset, int length) =>
        new(SampleSource.Of(file, inputOffset, length), SampleSource.Of(file, outputOffset, length), file);

    public void Dispose() => _file?.Dispose();

    private static void RequireSameLength(int input, int output)
    {
        if (input != output)
        {
            throw new ArgumentException(
                $"input ({input} samples) and output ({output} samples) must be aligned to the same length"
            );
        }
    }
}

using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// How a WaveNet's layer arrays chain, in A1's and the extended (A2) config alike: the first array takes the mono
/// input and each later one the previous array's channels.
/// </summary>
internal static class LayerArrayChain
{
    public static NamFormatException? InputSizeProblem(string field, int index, int inputSize, int previousChannels)
    {
        if (index == 0 && inputSize != 1)
        {
            return new NamFormatException(
                null,
                $"{field}.input_size",
                $"the first array takes the mono input: must be 1, got {inputSize}"
            );
        }

        return index > 0 && inputSize != previousChannels
            ? new NamFormatException(
                null,
                $"{field}.input_size",
                $"must equal channels of layers[{index - 1}] ({previousChannels}), got {inputSize}"
            )
            : null;
    }
}

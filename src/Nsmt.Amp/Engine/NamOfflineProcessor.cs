using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Offline processing of a whole signal: the same samples as a freshly reset streaming engine
/// (WaveNet: valid forward pass over RF-1 zeros ++ input; LSTM: h0/c0 plus prewarm), computed in
/// chunks so memory stays bounded for long files.
/// </summary>
public static class NamOfflineProcessor
{
    public const int DefaultChunkSize = 32768;

    public static float[] Process(
        NamModel model,
        ReadOnlySpan<float> input,
        TanhMode tanhMode = TanhMode.Exact,
        int chunkSize = DefaultChunkSize
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var output = new float[input.Length];
        if (model.Config is WaveNetConfig)
        {
            var processor = new WaveNetOfflineProcessor(
                WaveNetPackedModel.Create(model),
                tanhMode,
                Math.Min(chunkSize, Math.Max(1, input.Length))
            );
            processor.Process(input, output);
        }
        else
        {
            // A recurrent model carries its whole state; chunking is just consecutive blocks.
            var engine = NamEngineFactory.Create(model, tanhMode);
            for (var start = 0; start < input.Length; start += chunkSize)
            {
                var count = Math.Min(chunkSize, input.Length - start);
                engine.Process(input.Slice(start, count), output.AsSpan(start, count));
            }
        }

        return output;
    }
}

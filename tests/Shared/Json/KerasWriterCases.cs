using System.Text;
using Nsmt.Amp.Keras;

namespace Nsmt.Tests.Shared;

/// <summary>
/// The RTNeural/AIDA-X Keras JSON files Nsmt.Amp writes, for fixed models: each case names its golden (in
/// Nsmt.Amp.Tests' Fixtures/main-json, written by main's hand-written writer through tests/fixtures-gen/keras-json) and
/// writes the same model with today's writer. The models cover what the writer decides: LSTM and GRU (its two bias
/// rows), dense layers of every activation and the time-distributed one, AIDA-X's fields set and at zero, the sample
/// rate and knob ranges present or left out, a knob name that needs escaping; the weights take values whose shortest
/// float32 text has every form (zero, negative zero, exponents, subnormal, the largest float32, seven to nine digits).
/// </summary>
internal static class KerasWriterCases
{
    public static IReadOnlyList<(string Golden, Func<byte[]> Write)> All() =>
        [
            ("keras_aida_lstm_knobs.json", () => Serialize(AidaLstmWithKnobs())),
            ("keras_aida_lstm_knobs.json", () => SavedForAida(AidaLstmWithKnobs())),
            ("keras_aida_gru.json", () => Serialize(AidaGru())),
            ("keras_layers.json", () => Serialize(EveryLayer())),
        ];

    /// <summary>A conditioned LSTM as a knob run exports it: 1 + 2 inputs, every AIDA-X field set.</summary>
    public static KerasModel AidaLstmWithKnobs() =>
        new(3, [new KerasLstm(3, 8, Values(3 * 32, 1), Values(8 * 32, 2), Values(32, 3)), Dense(8, 1, 4)])
        {
            InputSkip = true,
            InputGainDb = 6.020599913279624,
            OutputGainDb = -3.5,
            SampleRate = 48000,
            Knobs = [new KnobRange("gain_db", 0, 18), new KnobRange("mid_db", -6.5, 6.5)],
        };

    /// <summary>A plain GRU capture: one input, AIDA-X's fields at zero, no sample rate, no knobs.</summary>
    public static KerasModel AidaGru() =>
        new(1, [new KerasGru(1, 12, Values(36, 5), Values(12 * 36, 6), Values(2 * 36, 7)), Dense(12, 1, 8)]);

    /// <summary>RTNeural's layer kinds around a GRU, every dense activation, a fractional rate, an escaped knob name.</summary>
    public static KerasModel EveryLayer() =>
        new(
            2,
            [
                new KerasDense(2, 8, Values(16, 9), Values(8, 10), KerasActivation.Tanh, TimeDistributed: true),
                new KerasGru(8, 8, Values(8 * 24, 11), Values(8 * 24, 12), Values(2 * 24, 13)),
                new KerasDense(8, 8, Values(64, 14), Values(8, 15), KerasActivation.Sigmoid, TimeDistributed: false),
                new KerasDense(8, 4, Values(32, 16), Values(4, 17), KerasActivation.Relu, TimeDistributed: false),
                new KerasDense(4, 4, Values(16, 18), Values(4, 19), KerasActivation.Elu, TimeDistributed: false),
                new KerasDense(4, 4, Values(16, 20), Values(4, 21), KerasActivation.Softmax, TimeDistributed: false),
                Dense(4, 1, 22),
            ]
        )
        {
            InputGainDb = 1e-9,
            OutputGainDb = 12,
            SampleRate = 44100.5,
            Knobs = [new KnobRange("tone <é> \"q\"/\\", -1e-3, 1e3)],
        };

    public static byte[] Serialize(KerasModel model) => Encoding.UTF8.GetBytes(KerasModelFile.Serialize(model));

    /// <summary>The bytes <see cref="KerasModelFile.SaveForAida"/> writes to a file.</summary>
    public static byte[] SavedForAida(KerasModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"keras_case_{Guid.NewGuid():N}.json");
        try
        {
            KerasModelFile.SaveForAida(model, path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static KerasDense Dense(int inputs, int outputs, int seed) =>
        new(inputs, outputs, Values(inputs * outputs, seed), Values(outputs, seed + 100), KerasActivation.None, false);

    private static readonly float[] Forms =
    [
        0f,
        -0f,
        0.1f,
        -1f / 3,
        1e-7f,
        -2.5e-5f,
        123456.79f,
        16777216f,
        float.Epsilon,
        1.17549435e-38f,
        float.MaxValue,
        -0.75f,
    ];

    /// <summary>Deterministic weights: every fifth one of <see cref="Forms"/>, the others smooth values below 1.</summary>
    public static float[] Values(int count, int seed) =>
        [
            .. Enumerable
                .Range(0, count)
                .Select(i =>
                    i % 5 == 0
                        ? Forms[((i / 5) + seed) % Forms.Length]
                        : (float)(0.4 * Math.Sin((seed * 7.3) + (i * 0.61)))
                ),
        ];
}

using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Straightforward double-precision transcriptions of nam-format.md's forward passes, sample by
/// sample with no buffers, packing or vectors: an oracle independent of the engines' code.
/// </summary>
internal static class ReferenceModels
{
    public static double FastTanh(double x)
    {
        const double a = 2.45550750702956,
            b = 0.893229853513558,
            c = 0.821226666969744,
            d = 2.44506634652299,
            e = 0.814642734961073;
        double ax = Math.Abs(x),
            x2 = x * x;
        return x * (a + (a * ax) + ((b + (c * ax)) * x2)) / (d + ((d + x2) * Math.Abs(x + (e * x * ax))));
    }

    /// <summary>WaveNet A1 output for <paramref name="input"/> preceded by RF-1 zeros (Core with prewarm).</summary>
    public static double[] WaveNet(NamModel model, float[] input, bool fastTanh)
    {
        var config = (WaveNetConfig)model.Config;
        var w = model.Weights;
        var p = 0;
        var pad = config.ReceptiveField - 1;
        var n = input.Length + pad;
        var x = new double[n];
        for (var i = 0; i < input.Length; i++)
        {
            x[pad + i] = input[i];
        }

        double[,]? previousResidual = null;
        double[,]? headAccumulator = null;
        foreach (var array in config.LayerArrays)
        {
            int channels = array.Channels,
                k = array.KernelSize,
                m = array.ConvOutputChannels,
                headSize = array.HeadSize;
            var h = new double[channels, n];
            for (var c = 0; c < channels; c++)
            {
                for (var i = 0; i < array.InputSize; i++)
                {
                    double weight = w[p++];
                    for (var t = 0; t < n; t++)
                    {
                        h[c, t] += weight * (previousResidual is null ? x[t] : previousResidual[i, t]);
                    }
                }
            }

            var s = headAccumulator ?? new double[channels, n];
            foreach (var dilation in array.Dilations)
            {
                var conv = new double[m, channels, k];
                for (var r = 0; r < m; r++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        for (var tap = 0; tap < k; tap++)
                        {
                            conv[r, c, tap] = w[p++];
                        }
                    }
                }

                var bias = Take(w, ref p, m);
                var mixin = Take(w, ref p, m);
                var oneByOne = Take(w, ref p, channels * channels);
                var oneByOneBias = Take(w, ref p, channels);
                var next = new double[channels, n];
                var z = new double[m];
                var a = new double[channels];
                for (var t = 0; t < n; t++)
                {
                    for (var r = 0; r < m; r++)
                    {
                        var sum = bias[r] + (mixin[r] * x[t]);
                        for (var c = 0; c < channels; c++)
                        {
                            for (var tap = 0; tap < k; tap++)
                            {
                                var source = t - ((k - 1 - tap) * dilation);
                                sum += source >= 0 ? conv[r, c, tap] * h[c, source] : 0;
                            }
                        }

                        z[r] = sum;
                    }

                    for (var c = 0; c < channels; c++)
                    {
                        a[c] = fastTanh ? FastTanh(z[c]) : Math.Tanh(z[c]);
                        if (array.Gated)
                        {
                            a[c] *= 1 / (1 + Math.Exp(-z[channels + c]));
                        }

                        s[c, t] += a[c];
                    }

                    for (var c = 0; c < channels; c++)
                    {
                        var sum = h[c, t] + oneByOneBias[c];
                        for (var c2 = 0; c2 < channels; c2++)
                        {
                            sum += oneByOne[(c * channels) + c2] * a[c2];
                        }

                        next[c, t] = sum;
                    }
                }

                h = next;
            }

            var head = Take(w, ref p, headSize * channels);
            var headBias = array.HeadBias ? Take(w, ref p, headSize) : new double[headSize];
            var y = new double[headSize, n];
            for (var t = 0; t < n; t++)
            {
                for (var o = 0; o < headSize; o++)
                {
                    var sum = headBias[o];
                    for (var c = 0; c < channels; c++)
                    {
                        sum += head[(o * channels) + c] * s[c, t];
                    }

                    y[o, t] = sum;
                }
            }

            previousResidual = h;
            headAccumulator = y;
        }

        double scale = w[p++];
        Assert.Equal(w.Length, p);
        var output = new double[input.Length];
        for (var t = 0; t < input.Length; t++)
        {
            output[t] = scale * headAccumulator![0, pad + t];
        }

        return output;
    }

    /// <summary>LSTM output after loading h0/c0 and prewarming on <paramref name="prewarm"/> zeros.</summary>
    public static double[] Lstm(NamModel model, float[] input, int prewarm, bool fast)
    {
        var config = (LstmConfig)model.Config;
        var w = model.Weights;
        int p = 0,
            hid = config.HiddenSize;
        var weights = new double[config.NumLayers][];
        var biases = new double[config.NumLayers][];
        var hs = new double[config.NumLayers][];
        var cs = new double[config.NumLayers][];
        for (var l = 0; l < config.NumLayers; l++)
        {
            var inputs = l == 0 ? 1 : hid;
            weights[l] = Take(w, ref p, 4 * hid * (inputs + hid));
            biases[l] = Take(w, ref p, 4 * hid);
            hs[l] = Take(w, ref p, hid);
            cs[l] = Take(w, ref p, hid);
        }

        var headWeight = Take(w, ref p, hid);
        double headBias = w[p++];
        Assert.Equal(w.Length, p);
        double Sigmoid(double v) => fast ? 0.5 * (FastTanh(0.5 * v) + 1) : 1 / (1 + Math.Exp(-v));
        double Tanh(double v) => fast ? FastTanh(v) : Math.Tanh(v);

        double Step(double sample)
        {
            double[] v = [sample];
            for (var l = 0; l < config.NumLayers; l++)
            {
                int inputs = v.Length,
                    columns = inputs + hid;
                var z = new double[4 * hid];
                for (var r = 0; r < 4 * hid; r++)
                {
                    var sum = biases[l][r];
                    for (var c = 0; c < columns; c++)
                    {
                        sum += weights[l][(r * columns) + c] * (c < inputs ? v[c] : hs[l][c - inputs]);
                    }

                    z[r] = sum;
                }

                for (var i = 0; i < hid; i++)
                {
                    cs[l][i] = (Sigmoid(z[hid + i]) * cs[l][i]) + (Sigmoid(z[i]) * Tanh(z[(2 * hid) + i]));
                    hs[l][i] = Sigmoid(z[(3 * hid) + i]) * Tanh(cs[l][i]);
                }

                v = (double[])hs[l].Clone();
            }

            var y = headBias;
            for (var i = 0; i < hid; i++)
            {
                y += headWeight[i] * v[i];
            }

            return y;
        }

        for (var i = 0; i < prewarm; i++)
        {
            Step(0);
        }

        return input.Select(sample => Step(sample)).ToArray();
    }

    private static double[] Take(float[] w, ref int p, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = w[p++];
        }

        return values;
    }
}

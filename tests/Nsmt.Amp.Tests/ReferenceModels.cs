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
        const double a = 2.45550750702956, b = 0.893229853513558, c = 0.821226666969744, d = 2.44506634652299, e = 0.814642734961073;
        double ax = Math.Abs(x), x2 = x * x;
        return x * (a + (a * ax) + ((b + (c * ax)) * x2)) / (d + ((d + x2) * Math.Abs(x + (e * x * ax))));
    }

    /// <summary>WaveNet A1 output for <paramref name="input"/> preceded by RF-1 zeros (Core with prewarm).</summary>
    public static double[] WaveNet(NamModel model, float[] input, bool fastTanh)
    {
        var config = (WaveNetConfig)model.Config;
        float[] w = model.Weights;
        int p = 0;
        int pad = config.ReceptiveField - 1;
        int n = input.Length + pad;
        var x = new double[n];
        for (int i = 0; i < input.Length; i++)
        {
            x[pad + i] = input[i];
        }

        double[,]? previousResidual = null;
        double[,]? headAccumulator = null;
        foreach (var array in config.LayerArrays)
        {
            int channels = array.Channels, k = array.KernelSize, m = array.ConvOutputChannels, headSize = array.HeadSize;
            var h = new double[channels, n];
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < array.InputSize; i++)
                {
                    double weight = w[p++];
                    for (int t = 0; t < n; t++)
                    {
                        h[c, t] += weight * (previousResidual is null ? x[t] : previousResidual[i, t]);
                    }
                }
            }

            var s = headAccumulator ?? new double[channels, n];
            foreach (int dilation in array.Dilations)
            {
                var conv = new double[m, channels, k];
                for (int r = 0; r < m; r++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        for (int tap = 0; tap < k; tap++)
                        {
                            conv[r, c, tap] = w[p++];
                        }
                    }
                }

                double[] bias = Take(w, ref p, m);
                double[] mixin = Take(w, ref p, m);
                double[] oneByOne = Take(w, ref p, channels * channels);
                double[] oneByOneBias = Take(w, ref p, channels);
                var next = new double[channels, n];
                var z = new double[m];
                var a = new double[channels];
                for (int t = 0; t < n; t++)
                {
                    for (int r = 0; r < m; r++)
                    {
                        double sum = bias[r] + (mixin[r] * x[t]);
                        for (int c = 0; c < channels; c++)
                        {
                            for (int tap = 0; tap < k; tap++)
                            {
                                int source = t - ((k - 1 - tap) * dilation);
                                sum += source >= 0 ? conv[r, c, tap] * h[c, source] : 0;
                            }
                        }

                        z[r] = sum;
                    }

                    for (int c = 0; c < channels; c++)
                    {
                        a[c] = fastTanh ? FastTanh(z[c]) : Math.Tanh(z[c]);
                        if (array.Gated)
                        {
                            a[c] *= 1 / (1 + Math.Exp(-z[channels + c]));
                        }

                        s[c, t] += a[c];
                    }

                    for (int c = 0; c < channels; c++)
                    {
                        double sum = h[c, t] + oneByOneBias[c];
                        for (int c2 = 0; c2 < channels; c2++)
                        {
                            sum += oneByOne[(c * channels) + c2] * a[c2];
                        }

                        next[c, t] = sum;
                    }
                }

                h = next;
            }

            double[] head = Take(w, ref p, headSize * channels);
            double[] headBias = array.HeadBias ? Take(w, ref p, headSize) : new double[headSize];
            var y = new double[headSize, n];
            for (int t = 0; t < n; t++)
            {
                for (int o = 0; o < headSize; o++)
                {
                    double sum = headBias[o];
                    for (int c = 0; c < channels; c++)
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
        for (int t = 0; t < input.Length; t++)
        {
            output[t] = scale * headAccumulator![0, pad + t];
        }

        return output;
    }

    /// <summary>LSTM output after loading h0/c0 and prewarming on <paramref name="prewarm"/> zeros.</summary>
    public static double[] Lstm(NamModel model, float[] input, int prewarm, bool fast)
    {
        var config = (LstmConfig)model.Config;
        float[] w = model.Weights;
        int p = 0, hid = config.HiddenSize;
        var weights = new double[config.NumLayers][];
        var biases = new double[config.NumLayers][];
        var hs = new double[config.NumLayers][];
        var cs = new double[config.NumLayers][];
        for (int l = 0; l < config.NumLayers; l++)
        {
            int inputs = l == 0 ? 1 : hid;
            weights[l] = Take(w, ref p, 4 * hid * (inputs + hid));
            biases[l] = Take(w, ref p, 4 * hid);
            hs[l] = Take(w, ref p, hid);
            cs[l] = Take(w, ref p, hid);
        }

        double[] headWeight = Take(w, ref p, hid);
        double headBias = w[p++];
        Assert.Equal(w.Length, p);
        double Sigmoid(double v) => fast ? 0.5 * (FastTanh(0.5 * v) + 1) : 1 / (1 + Math.Exp(-v));
        double Tanh(double v) => fast ? FastTanh(v) : Math.Tanh(v);

        double Step(double sample)
        {
            double[] v = [sample];
            for (int l = 0; l < config.NumLayers; l++)
            {
                int inputs = v.Length, columns = inputs + hid;
                var z = new double[4 * hid];
                for (int r = 0; r < 4 * hid; r++)
                {
                    double sum = biases[l][r];
                    for (int c = 0; c < columns; c++)
                    {
                        sum += weights[l][(r * columns) + c] * (c < inputs ? v[c] : hs[l][c - inputs]);
                    }

                    z[r] = sum;
                }

                for (int i = 0; i < hid; i++)
                {
                    cs[l][i] = (Sigmoid(z[hid + i]) * cs[l][i]) + (Sigmoid(z[i]) * Tanh(z[(2 * hid) + i]));
                    hs[l][i] = Sigmoid(z[(3 * hid) + i]) * Tanh(cs[l][i]);
                }

                v = (double[])hs[l].Clone();
            }

            double y = headBias;
            for (int i = 0; i < hid; i++)
            {
                y += headWeight[i] * v[i];
            }

            return y;
        }

        for (int i = 0; i < prewarm; i++)
        {
            Step(0);
        }

        return input.Select(sample => Step(sample)).ToArray();
    }

    private static double[] Take(float[] w, ref int p, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = w[p++];
        }

        return values;
    }
}

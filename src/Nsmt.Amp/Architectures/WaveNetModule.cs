namespace Nsmt.Amp.Architectures;

/// <summary>What a convolution of a 0.6/0.7 WaveNet does (see <see cref="WaveNetModule"/>).</summary>
public enum WaveNetModuleRole
{
    /// <summary>1x1 input_size -> C, no bias, at the start of each array.</summary>
    Rechannel,

    /// <summary>The layer's dilated conv C -> M (grouped by groups_input), with bias.</summary>
    Conv,

    /// <summary>1x1 condition -> M (grouped by groups_input_mixin), no bias.</summary>
    InputMixin,

    /// <summary>1x1 B -> C with bias, back to the residual stream.</summary>
    Layer1x1,

    /// <summary>1x1 B -> head1x1.out_channels with bias, into the head accumulator.</summary>
    Head1x1,

    /// <summary>A FiLM block's condition -> scale (and shift) 1x1, with bias.</summary>
    Film,

    /// <summary>The array's head conv (head_out -> head_size, kernel head.kernel_size), bias iff head bias.</summary>
    HeadRechannel,

    /// <summary>One conv of the post-stack head (config.head), with bias.</summary>
    PostHeadConv,
}

/// <summary>
/// One convolution of a 0.6/0.7 WaveNet and its slice of the flat weight vector: weights
/// [out][in/groups][kernel] (PyTorch's grouped Conv1d order, group after group), then the bias.
/// <see cref="ExtendedWaveNetConfig.Modules"/> lists them in file order: the one statement of it.
/// </summary>
public sealed record WaveNetModule(
    string Name,
    WaveNetModuleRole Role,
    int Array,
    int Layer,
    int OutChannels,
    int InChannels,
    int KernelSize,
    int Dilation,
    int Groups,
    bool Bias,
    FilmPosition? Film = null
)
{
    public int InPerGroup => InChannels / Groups;

    public int WeightLength => OutChannels * InPerGroup * KernelSize;

    public int Length => WeightLength + (Bias ? OutChannels : 0);

    /// <summary>
    /// The dense [out][in][kernel] weights (zeros outside each group's block) from the grouped layout at
    /// <paramref name="source"/>, so engines treat every conv as ungrouped.
    /// </summary>
    public float[] DenseWeights(ReadOnlySpan<float> source)
    {
        var dense = new float[OutChannels * InChannels * KernelSize];
        var outPerGroup = OutChannels / Groups;
        var i = 0;
        for (var r = 0; r < OutChannels; r++)
        {
            var group = r / outPerGroup;
            for (var j = 0; j < InPerGroup; j++)
            {
                var c = (group * InPerGroup) + j;
                for (var k = 0; k < KernelSize; k++)
                {
                    dense[(((r * InChannels) + c) * KernelSize) + k] = source[i++];
                }
            }
        }

        return dense;
    }
}

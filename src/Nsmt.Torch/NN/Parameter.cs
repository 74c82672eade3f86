namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A trainable tensor owned by a module. Never captured by dispose scopes: the module disposes it.
        /// </summary>
        public sealed class Parameter : Tensor
        {
            public Parameter(Tensor data, bool requires_grad = true) : base(Adopt(data), inScope: false)
            {
                this.requires_grad = requires_grad;
            }

            // A detached alias: the parameter is a leaf, whatever graph produced its initial value.
            private static IntPtr Adopt(Tensor data) => data.detach().TakeHandle();
        }
    }
}

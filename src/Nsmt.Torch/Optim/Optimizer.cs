using System.Globalization;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>A set of parameters sharing hyper-parameters. Schedulers change <see cref="LearningRate"/> (and momentum or beta1).</summary>
        public sealed class ParamGroup
        {
            public ParamGroup(IEnumerable<Parameter> parameters, double learningRate)
            {
                Parameters = parameters.ToList();
                LearningRate = learningRate;
            }

            public IReadOnlyList<Parameter> Parameters { get; }
            public double LearningRate { get; set; }

            /// <summary>The learning rate when the first scheduler attached (PyTorch's 'initial_lr').</summary>
            public double? InitialLearningRate { get; set; }

            /// <summary>SGD's momentum or Adam's beta1: what cyclic schedulers vary.</summary>
            public double Momentum { get; set; }
        }

        /// <summary>
        /// Serializable optimiser state: per-parameter tensors ("state.{i}.{name}") and numbers
        /// ("state.{i}.step", "group.{g}.lr", ...). Save it with safetensors beside the model weights.
        /// </summary>
        public sealed record OptimizerState(Dictionary<string, Tensor> Tensors, Dictionary<string, double> Numbers);

        public abstract class Optimizer : IDisposable
        {
            private readonly List<ParamGroup> groups;

            protected Optimizer(IEnumerable<Parameter> parameters, double lr, double momentum)
            {
                if (lr < 0)
                    throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be >= 0");
                var group = new ParamGroup(parameters, lr) { Momentum = momentum };
                if (group.Parameters.Count == 0)
                    throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
                groups = [group];
            }

            public IReadOnlyList<ParamGroup> ParamGroups => groups;

            protected IEnumerable<Parameter> AllParameters => groups.SelectMany(g => g.Parameters);

            public abstract void step();

            public void zero_grad(bool set_to_none = true)
            {
                foreach (var p in AllParameters)
                {
                    if (set_to_none)
                        p.grad = null;
                    else
                        using (var g = p.grad)
                            g?.zero_();
                }
            }

            public OptimizerState state_dict()
            {
                var state = new OptimizerState([], []);
                for (var g = 0; g < groups.Count; g++)
                {
                    state.Numbers[Key("group", g, "lr")] = groups[g].LearningRate;
                    state.Numbers[Key("group", g, "momentum")] = groups[g].Momentum;
                    if (groups[g].InitialLearningRate is { } initial)
                        state.Numbers[Key("group", g, "initial_lr")] = initial;
                }
                SaveState(state);
                return state;
            }

            public void load_state_dict(OptimizerState state)
            {
                for (var g = 0; g < groups.Count; g++)
                {
                    groups[g].LearningRate = Number(state, Key("group", g, "lr"));
                    groups[g].Momentum = Number(state, Key("group", g, "momentum"));
                    groups[g].InitialLearningRate = state.Numbers.TryGetValue(Key("group", g, "initial_lr"), out var i) ? i : null;
                }
                LoadState(state);
            }

            protected abstract void SaveState(OptimizerState state);
            protected abstract void LoadState(OptimizerState state);

            protected static string Key(string kind, int index, string name) => string.Create(CultureInfo.InvariantCulture, $"{kind}.{index}.{name}");

            protected static double Number(OptimizerState state, string key) =>
                state.Numbers.TryGetValue(key, out var v) ? v : throw new ArgumentException($"optimizer state has no '{key}'");

            /// <summary>A state tensor copied into a new tensor owned by the optimiser.</summary>
            protected static Tensor Own(Tensor source, Tensor like)
            {
                if (!source.shape.SequenceEqual(like.shape))
                    throw new ArgumentException($"optimizer state tensor has shape [{string.Join(", ", source.shape)}], the parameter [{string.Join(", ", like.shape)}]");
                var copy = source.to(like.dtype).clone();
                return copy.DetachFromDisposeScope();
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing) { }
        }
    }
}

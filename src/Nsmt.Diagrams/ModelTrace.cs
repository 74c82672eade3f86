using Nsmt.Neural;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>
/// What one example forward pass shows about a model: a row per module call with its output shapes and
/// parameter counts, in the order torchinfo lists them (the model, then each module as it is entered, depth
/// first), plus which tensors flowed between calls. The pass runs in eval mode without gradients, through
/// forward hooks on every module, so only submodules invoked with <c>call</c> are seen running.
/// </summary>
public sealed class ModelTrace
{
    private ModelTrace(
        nn.Module model,
        LayerInfo root,
        IReadOnlyList<LayerInfo> layers,
        IReadOnlyList<TensorShape> inputShapes
    )
    {
        Model = model;
        Root = root;
        Layers = layers;
        InputShapes = inputShapes;
    }

    public nn.Module Model { get; }

    public string ModelName => Model.TypeName();

    /// <summary>The row of the model itself (depth 0).</summary>
    public LayerInfo Root { get; }

    /// <summary>Every row in table order (depth-first, children in the order they were entered).</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>The example input's tensors.</summary>
    public IReadOnlyList<TensorShape> InputShapes { get; }

    /// <summary>The model's outputs (one per head for multihead networks).</summary>
    public IReadOnlyList<TensorShape> OutputShapes => Root.OutputShapes;

    public long InputBytes => InputShapes.Sum(s => s.Bytes);

    /// <summary>
    /// Runs <paramref name="exampleInput"/> through <paramref name="model"/> (eval mode, no_grad; the previous
    /// train/eval mode is restored) and records every module call. The input is not disposed.
    /// </summary>
    public static ModelTrace Capture<T, TResult>(nn.Module<T, TResult> model, T exampleInput)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Tracer(model).Run(exampleInput, input => model.call(input));
    }

    /// <summary>A spectral network on example images and, for an auxiliary-input network, example scalars.</summary>
    public static ModelTrace Capture(
        Nsmt.Spectral.Models.MultiheadNetwork model,
        Tensor images,
        Tensor? auxiliary = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Tracer(model).Run(images, input => model.call((Tensor)input, auxiliary));
    }

    /// <summary>
    /// As <see cref="Capture{T,TResult}"/> for a model whose forward pass is not a single call (several
    /// arguments, a recurrent state): <paramref name="forward"/> must invoke the model through <c>call</c> or an
    /// equivalent that runs its hooks, with <paramref name="exampleInput"/> describing the input tensors.
    /// </summary>
    public static ModelTrace Capture(nn.Module model, object exampleInput, Func<object, object?> forward)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(forward);
        return new Tracer(model).Run(exampleInput, forward);
    }

    /// <summary>Records rows from module hooks during one pass.</summary>
    private sealed class Tracer(nn.Module model)
    {
        private readonly Dictionary<nn.Module, (string Path, nn.Module? Parent)> _structure = new(
            ReferenceEqualityComparer.Instance
        );
        private readonly Dictionary<nn.Module, LayerInfo> _latestRow = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<nn.Module, (ParameterStats All, ParameterStats Own)> _parameterStats = new(
            ReferenceEqualityComparer.Instance
        );
        private readonly Dictionary<object, int> _tensorIds = new(ReferenceEqualityComparer.Instance);
        private readonly List<LayerInfo> _active = [];
        private LayerInfo? _root;
        private int _sequence;

        public ModelTrace Run<TIn, TOut>(TIn input, Func<TIn, TOut> forward)
        {
            // A module shared under two names keeps its first name, as named_modules lists it first.
            foreach (var (path, module) in model.NamedModulesDepthFirst())
            {
                _structure.TryAdd(module, (path, null));
            }

            foreach (var (path, module) in model.NamedModulesDepthFirst())
            {
                foreach (var child in module.children())
                {
                    if (_structure[child].Parent is null && !ReferenceEquals(child, model))
                    {
                        _structure[child] = (_structure[child].Path, module);
                    }
                }
            }

            var handles = _structure.Keys.Select(m => m.ObserveForward(Enter, Exit)).ToList();
            var wasTraining = model.training;
            try
            {
                model.eval();
                using var scope = NewDisposeScope();
                using (no_grad())
                {
                    forward(input);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var ran = string.Join(
                    ", ",
                    _latestRow
                        .Values.Where(r => r.EndSequence >= 0)
                        .OrderBy(r => r.EndSequence)
                        .TakeLast(5)
                        .Select(r => r.ToString())
                );
                throw new InvalidOperationException(
                    $"the example forward pass of {model.TypeName()} failed: {Nsmt.Core.NativeErrorText.WithoutBacktrace(e.Message)}"
                        + (ran.Length > 0 ? $" (last layers that ran: {ran})" : ""),
                    e
                );
            }
            finally
            {
                foreach (var handle in handles)
                {
                    handle.remove();
                }

                model.train(wasTraining);
            }

            if (_root is null)
            {
                throw new InvalidOperationException(
                    $"the example forward pass never entered {model.TypeName()}'s hooks: invoke it through call(), not forward()"
                );
            }

            AddUnreachedModules();
            var layers = _root.Descendants().Prepend(_root).ToList();
            NumberByDepth(layers);
            return new ModelTrace(model, _root, layers, TensorShape.Collect(input).Select(s => s.Shape).ToList());
        }

        private void Enter(nn.Module module, object? input)
        {
            LayerInfo row;
            if (ReferenceEquals(module, model) && _root is null)
            {
                row = _root = NewRow(module, null, LayerKind.Called);
            }
            else if (_root is null)
            {
                throw new InvalidOperationException(
                    $"{module.TypeName()} ran before {model.TypeName()} itself: invoke the model through call(), not forward(), so its hooks run"
                );
            }
            else
            {
                row = NewRow(module, RowFor(_structure[module].Parent ?? throw Unexpected(module)), LayerKind.Called);
            }

            var tensors = TensorShape.Collect(input);
            row.InputShapes = tensors.Select(t => t.Shape).ToList();
            row.InputIds = tensors.Select(t => IdOf(t.Tensor)).ToArray();
            row.StartSequence = _sequence++;
            _active.Add(row);
        }

        private void Exit(nn.Module module, object? input, object? output)
        {
            if (_active.Count == 0 || !ReferenceEquals(_active[^1].Module, module))
            {
                throw new InvalidOperationException($"forward hooks of {module.TypeName()} ran out of order");
            }

            var row = _active[^1];
            _active.RemoveAt(_active.Count - 1);
            var tensors = TensorShape.Collect(output);
            row.OutputShapes = tensors.Select(t => t.Shape).ToList();
            row.OutputIds = tensors.Select(t => IdOf(t.Tensor)).ToArray();
            row.OutputBytes = TorchinfoStatistics.OutputBytes(output, row.OutputShapes);
            row.MultAdds = TorchinfoStatistics.MultAdds(row);
            row.EndSequence = _sequence++;
        }

        private static InvalidOperationException Unexpected(nn.Module module) =>
            new($"{module.TypeName()} ran outside the traced model's forward pass");

        /// <summary>
        /// The row a call of a child of <paramref name="module"/> belongs under: the module's running call, or a
        /// container row listed for structure when the module itself is not running (a ModuleList).
        /// </summary>
        private LayerInfo RowFor(nn.Module module)
        {
            for (var i = _active.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_active[i].Module, module))
                {
                    return _active[i];
                }
            }

            var parent = _structure[module].Parent ?? throw Unexpected(module);
            var parentRow = RowFor(parent);
            if (
                _latestRow.TryGetValue(module, out var existing)
                && existing.Kind == LayerKind.Container
                && ReferenceEquals(existing.Parent, parentRow)
                && ReferenceEquals(parentRow.Children[^1], existing)
            )
            {
                return existing;
            }

            return NewRow(module, parentRow, LayerKind.Container);
        }

        private LayerInfo NewRow(nn.Module module, LayerInfo? parent, LayerKind kind)
        {
            var recursive = _latestRow.ContainsKey(module);
            var depth = parent is null ? 0 : parent.Depth + 1;
            if (!_parameterStats.TryGetValue(module, out var stats))
            {
                _parameterStats[module] = stats = (
                    ParameterStats.Of(module),
                    ParameterStats.Of(module, recurse: false)
                );
            }

            var row = new LayerInfo(
                module,
                _structure[module].Path,
                depth,
                parent,
                kind,
                recursive,
                stats.All,
                stats.Own
            );
            _latestRow[module] = row;
            return row;
        }

        private int IdOf(Tensor tensor)
        {
            if (!_tensorIds.TryGetValue(tensor, out var id))
            {
                _tensorIds[tensor] = id = _tensorIds.Count;
            }

            return id;
        }

        /// <summary>Modules no hook saw still get a row (under their parent's first row), so nothing is hidden.</summary>
        private void AddUnreachedModules()
        {
            foreach (var (path, module) in model.NamedModulesDepthFirst())
            {
                if (_latestRow.ContainsKey(module) || _structure[module].Path != path)
                {
                    continue;
                }

                var parent = _structure[module].Parent!;
                var parentRow = _root!.Descendants().Prepend(_root).First(r => ReferenceEquals(r.Module, parent));
                NewRow(module, parentRow, LayerKind.NotReached);
            }
        }

        private static void NumberByDepth(IEnumerable<LayerInfo> layers)
        {
            var counters = new Dictionary<int, int>();
            foreach (var layer in layers)
            {
                layer.DepthIndex = counters[layer.Depth] = counters.GetValueOrDefault(layer.Depth) + 1;
            }
        }
    }
}

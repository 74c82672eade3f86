using System.Reflection;

namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Base of every layer and model: registered parameters, buffers and submodules (in registration
        /// order, which is the order of state_dict keys, as in PyTorch), train/eval mode and device moves.
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly List<KeyValuePair<string, Parameter?>> ownParameters = [];
            private readonly List<KeyValuePair<string, Tensor?>> ownBuffers = [];
            private readonly HashSet<string> nonPersistentBuffers = [];
            private readonly List<KeyValuePair<string, Module>> ownModules = [];
            private bool disposed;

            protected Module(string name) => GetName = name;

            /// <summary>The layer's type name, as shown in summaries ("Conv2d", "SimpleCNN").</summary>
            public string GetName { get; }

            public bool training { get; private set; } = true;

            // ---- registration ----
            protected void register_parameter(string name, Parameter? parameter) => Set(ownParameters, name, parameter);

            protected void register_buffer(string name, Tensor? buffer, bool persistent = true)
            {
                buffer?.DetachFromDisposeScope();
                Set(ownBuffers, name, buffer);
                if (!persistent)
                    nonPersistentBuffers.Add(name);
            }

            protected T register_module<T>(string name, T module) where T : Module
            {
                Set(ownModules, name, module);
                return module;
            }

            private static void Set<T>(List<KeyValuePair<string, T>> list, string name, T value)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"invalid name '{name}': names are non-empty and contain no '.'", nameof(name));
                var index = list.FindIndex(kv => kv.Key == name);
                if (index >= 0)
                    list[index] = new(name, value);
                else
                    list.Add(new(name, value));
            }

            /// <summary>
            /// Registers every field of type Parameter or Module under its field name, in declaration order
            /// (TorchSharp's convention). Call at the end of a constructor.
            /// </summary>
            protected void RegisterComponents()
            {
                var fields = new List<FieldInfo>();
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                    fields.InsertRange(0, type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                        .OrderBy(f => f.MetadataToken));
                foreach (var field in fields)
                {
                    var name = field.Name.StartsWith('<') ? field.Name[1..field.Name.IndexOf('>')] : field.Name;
                    switch (field.GetValue(this))
                    {
                        case Parameter p:
                            register_parameter(name, p);
                            break;
                        case Module m when !ReferenceEquals(m, this):
                            register_module(name, m);
                            break;
                    }
                }
            }

            // ---- traversal ----
            public IEnumerable<(string name, Module module)> named_children() => ownModules.Select(kv => (kv.Key, kv.Value));
            public IEnumerable<Module> children() => ownModules.Select(kv => kv.Value);

            public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
            {
                yield return (prefix, this);
                foreach (var (name, child) in ownModules)
                    foreach (var item in child.named_modules(Join(prefix, name)))
                        yield return item;
            }

            public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
                    foreach (var (name, p) in module.ownParameters)
                        if (p is not null && seen.Add(p))
                            yield return (Join(prefix, name), p);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool persistentOnly = false)
            {
                foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
                    foreach (var (name, b) in module.ownBuffers)
                        if (b is not null && !(persistentOnly && module.nonPersistentBuffers.Contains(name)))
                            yield return (Join(prefix, name), b);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

            /// <summary>Parameters and persistent buffers by qualified name, in PyTorch's key order. The tensors are the module's own (not copies).</summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var result = new Dictionary<string, Tensor>();
                foreach (var (prefix, module) in named_modules())
                {
                    foreach (var (name, p) in module.ownParameters)
                        if (p is not null)
                            result[Join(prefix, name)] = p;
                    foreach (var (name, b) in module.ownBuffers)
                        if (b is not null && !module.nonPersistentBuffers.Contains(name))
                            result[Join(prefix, name)] = b;
                }
                return result;
            }

            /// <summary>
            /// Copies values into this module's parameters and buffers. Names, shapes and dtypes must match
            /// (strict: no missing or unexpected keys); the error lists every difference.
            /// </summary>
            public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
            {
                var target = state_dict();
                var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
                var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
                var problems = new List<string>();
                foreach (var (name, t) in target)
                {
                    if (!source.TryGetValue(name, out var s))
                        continue;
                    if (!s.shape.SequenceEqual(t.shape))
                        problems.Add($"'{name}': shape [{string.Join(", ", s.shape)}] in the source, [{string.Join(", ", t.shape)}] in the model");
                    else if (s.dtype != t.dtype)
                        problems.Add($"'{name}': dtype {s.dtype} in the source, {t.dtype} in the model");
                }
                if (strict)
                {
                    problems.AddRange(missing.Select(k => $"'{k}': missing from the source"));
                    problems.AddRange(unexpected.Select(k => $"'{k}': not a parameter or buffer of {GetName}"));
                }
                if (problems.Count > 0)
                    throw new ArgumentException($"state dict does not match {GetName}:\n  " + string.Join("\n  ", problems));
                using (no_grad())
                    foreach (var (name, t) in target)
                        if (source.TryGetValue(name, out var s))
                            t.copy_(s);
                return (missing, unexpected);
            }

            // ---- modes and devices ----
            public Module train(bool on = true)
            {
                foreach (var m in modules())
                    m.training = on;
                return this;
            }

            public Module eval() => train(false);

            public Module to(Device device) => Apply(t => t.to(device));

            /// <summary>Casts floating-point parameters and buffers (integer buffers such as counters keep their type).</summary>
            public Module to(ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype) : t.alias());

            private Module Apply(Func<Tensor, Tensor> convert)
            {
                using var _ = no_grad();
                foreach (var module in modules())
                {
                    foreach (var (_, p) in module.ownParameters)
                    {
                        if (p is null)
                            continue;
                        var requiresGrad = p.requires_grad;
                        p.ReplaceHandle(convert(p));
                        p.requires_grad = requiresGrad;
                    }
                    foreach (var (_, b) in module.ownBuffers)
                        b?.ReplaceHandle(convert(b));
                }
                return this;
            }

            /// <summary>Clears gradients (set to none, PyTorch 2's default; zeroing in place otherwise).</summary>
            public void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (set_to_none)
                        p.grad = null;
                    else
                        using (var g = p.grad)
                            g?.zero_();
                }
            }

            public long NumberOfParameters() => parameters().Sum(p => p.numel());

            // ---- forward hooks ----
            // Copy-on-write arrays: a hook may remove itself (or add others) while the forward pass iterates,
            // and the hook-free path is a single length check.
            private HookEntry[] preHooks = [];
            private HookEntry[] postHooks = [];

            /// <summary>Whether any forward hook or observer is registered on this module (not its children).</summary>
            public bool HasForwardHooks => preHooks.Length != 0 || postHooks.Length != 0;

            /// <summary>
            /// Watches every forward pass of this module through <c>call</c> without changing it: <paramref name="before"/>
            /// sees the input (a tuple or other object for multi-input modules), <paramref name="after"/> the input and the
            /// output (a Tensor, a dictionary of tensors, a tuple...). Works for any module whatever its types, which is
            /// what summaries and graph tracers need. Dispose or remove() the handle to stop.
            /// </summary>
            public HookHandle ObserveForward(Action<Module, object?>? before = null, Action<Module, object?, object?>? after = null)
            {
                if (before is null && after is null)
                    throw new ArgumentException("ObserveForward needs a 'before' or an 'after' callback");
                HookEntry? pre = before is null ? null : new HookEntry((module, input, _) => { before(module, input); return null; });
                HookEntry? post = after is null ? null : new HookEntry((module, input, output) => { after(module, input, output); return null; });
                return AddHooks(pre, post);
            }

            /// <summary>Registers hooks that may replace the input (pre) or output (post) by returning a non-null value.</summary>
            private protected HookHandle AddHooks(HookEntry? pre, HookEntry? post)
            {
                if (pre is not null)
                    preHooks = [.. preHooks, pre];
                if (post is not null)
                    postHooks = [.. postHooks, post];
                return new HookHandle(() =>
                {
                    if (pre is not null)
                        preHooks = Array.FindAll(preHooks, e => !ReferenceEquals(e, pre));
                    if (post is not null)
                        postHooks = Array.FindAll(postHooks, e => !ReferenceEquals(e, post));
                });
            }

            /// <summary>
            /// Runs <paramref name="forward"/> between this module's hooks, in registration order: pre-hooks (each may
            /// replace the input), the forward pass, then post-hooks (each may replace the output). For modules whose
            /// forward takes several arguments, pass them as one tuple. Check <see cref="HasForwardHooks"/> first to keep
            /// the hook-free path allocation-free.
            /// </summary>
            protected TOut RunWithHooks<TIn, TOut>(TIn input, Func<TIn, TOut> forward)
            {
                var current = input;
                foreach (var hook in preHooks)
                    if (hook.Invoke(this, current, null) is TIn replaced)
                        current = replaced;
                var output = forward(current);
                foreach (var hook in postHooks)
                    if (hook.Invoke(this, current, output) is TOut replaced)
                        output = replaced;
                return output;
            }

            /// <summary>One registered hook: (module, input, output or null for pre-hooks) -> replacement or null.</summary>
            private protected sealed class HookEntry(Func<Module, object?, object?, object?> invoke)
            {
                public object? Invoke(Module module, object? input, object? output) => invoke(module, input, output);
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposed || !disposing)
                    return;
                disposed = true;
                foreach (var (_, m) in ownModules)
                    m.Dispose();
                foreach (var (_, p) in ownParameters)
                    p?.Dispose();
                foreach (var (_, b) in ownBuffers)
                    b?.Dispose();
            }
        }

        /// <summary>
        /// A module with a typed forward pass. Parents invoke children with <see cref="call"/>, which runs the forward
        /// hooks around <see cref="forward"/> (PyTorch's __call__); forward alone bypasses them.
        /// </summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            public TResult call(T input) => HasForwardHooks ? RunWithHooks(input, forward) : forward(input);

            /// <summary>
            /// Runs <paramref name="hook"/> before each forward pass (TorchSharp's and PyTorch's register_forward_pre_hook):
            /// a non-null (non-default) result replaces the input.
            /// </summary>
            public HookHandle register_forward_pre_hook(Func<Module<T, TResult>, T, T?> hook) =>
                AddHooks(new HookEntry((_, input, _) => Replacement(hook(this, (T)input!))), null);

            /// <summary>Runs <paramref name="hook"/> after each forward pass: a non-null (non-default) result replaces the output.</summary>
            public HookHandle register_forward_hook(Func<Module<T, TResult>, T, TResult, TResult?> hook) =>
                AddHooks(null, new HookEntry((_, input, output) => Replacement(hook(this, (T)input!, (TResult)output!))));

            // Returning default means "keep": for value-type inputs (tuples of tensors) default is never a real value.
            private static object? Replacement<TValue>(TValue? value) =>
                EqualityComparer<TValue?>.Default.Equals(value, default) ? null : value;
        }

        /// <summary>Removes a registered hook (PyTorch's RemovableHandle); removing twice is harmless.</summary>
        public sealed class HookHandle : IDisposable
        {
            private Action? removal;

            internal HookHandle(Action removal) => this.removal = removal;

            public void remove() => Interlocked.Exchange(ref removal, null)?.Invoke();

            public void Dispose() => remove();
        }
    }
}

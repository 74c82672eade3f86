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

        /// <summary>A module with a typed forward pass.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            public TResult call(T input) => forward(input);
        }
    }
}

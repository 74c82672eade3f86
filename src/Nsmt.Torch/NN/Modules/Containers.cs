using static Nsmt.Torch.torch;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch.Modules;

/// <summary>Runs its children in order; children are named "0", "1", ... (or given names).</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> layers = [];

    public Sequential(params Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules)
            append(m);
    }

    public Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
    {
        foreach (var (name, m) in modules)
        {
            layers.Add(m);
            register_module(name, m);
        }
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int index] => layers[index];

    public Sequential append(Module<Tensor, Tensor> module)
    {
        register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    public override Tensor forward(Tensor input)
    {
        if (layers.Count == 0)
            return input.alias();
        // Intermediate results are disposed as soon as the next layer has consumed them.
        var x = layers[0].call(input);
        for (var i = 1; i < layers.Count; i++)
        {
            var next = layers[i].call(x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}

/// <summary>An indexable list of submodules named "0", "1", ...</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(params T[] modules) : base("ModuleList")
    {
        foreach (var m in modules)
            append(m);
    }

    public int Count => items.Count;
    public T this[int index] => items[index];

    public ModuleList<T> append(T module)
    {
        register_module(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        items.Add(module);
        return this;
    }

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Submodules by name, in insertion order.</summary>
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly Dictionary<string, T> items = [];
    private readonly List<string> order = [];

    public ModuleDict() : base("ModuleDict") { }

    public void Add(string name, T module)
    {
        if (!items.ContainsKey(name))
            order.Add(name);
        items[name] = register_module(name, module);
    }

    public T this[string key] => items[key];
    public IEnumerable<string> Keys => order;
    public IEnumerable<T> Values => order.Select(k => items[k]);
    public int Count => order.Count;
    public bool ContainsKey(string key) => items.ContainsKey(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) => items.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => order.Select(k => new KeyValuePair<string, T>(k, items[k])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

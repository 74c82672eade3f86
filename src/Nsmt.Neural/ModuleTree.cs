using static TorchSharp.torch;

namespace Nsmt.Neural;

/// <summary>
/// PyTorch's module walk. TorchSharp's named_modules() leaves out the module itself and lists level by level;
/// PyTorch's (and torchinfo's, and every summary the field reads) starts with the module itself ("") and goes depth
/// first, children in registration order, each module once. Initialisation loops use it too, so weights are drawn
/// in PyTorch's order.
/// </summary>
public static class ModuleTree
{
    public static IEnumerable<(string name, nn.Module module)> NamedModulesDepthFirst(this nn.Module root)
    {
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, nn.Module)>();
        stack.Push(("", root));
        while (stack.Count > 0)
        {
            var (name, module) = stack.Pop();
            if (!seen.Add(module))
            {
                continue;
            }

            yield return (name, module);
            foreach (var (childName, child) in module.named_children().Reverse())
            {
                stack.Push((name.Length == 0 ? childName : name + "." + childName, child));
            }
        }
    }

    public static IEnumerable<nn.Module> ModulesDepthFirst(this nn.Module root) =>
        root.NamedModulesDepthFirst().Select(m => m.module);

    /// <summary>
    /// The layer's type as PyTorch prints it ("Conv2d", "Sequential", "SimpleCNN"): TorchSharp's own modules by their
    /// class (GetName() of a native-backed one is "torch::nn::SequentialImpl"), ours by the name they were built with.
    /// </summary>
    public static string TypeName(this nn.Module module)
    {
        var type = module.GetType();
        if (type.Assembly != typeof(nn.Module).Assembly)
        {
            return module.GetName();
        }

        var tick = type.Name.IndexOf('`');
        return tick < 0 ? type.Name : type.Name[..tick];
    }
}

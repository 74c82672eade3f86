using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using static TorchSharp.torch;

namespace Nsmt.Neural;

/// <summary>Removes an observer registered with <see cref="ModuleHooks.ObserveForward"/>; removing twice is harmless.</summary>
public sealed class HookHandle : IDisposable
{
    private Action? _removal;

    internal HookHandle(Action removal) => this._removal = removal;

    public void remove() => Interlocked.Exchange(ref _removal, null)?.Invoke();

    public void Dispose() => remove();
}

/// <summary>
/// Forward observers on any TorchSharp module, whatever its input and output types. TorchSharp's hooks are typed
/// per <c>Module&lt;T, TResult&gt;</c>; summaries and graphs walk a whole model and need one untyped view of them:
/// <c>before</c> sees (module, input), <c>after</c> (module, input, output). Observers never
/// change what flows through (for a two-input module such as LSTM, the input is the tuple of both).
/// </summary>
public static class ModuleHooks
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> HookFields = new();
    private static readonly MethodInfo ObserveUnary = typeof(ModuleHooks).GetMethod(
        nameof(Observe),
        BindingFlags.NonPublic | BindingFlags.Static
    )!;
    private static readonly MethodInfo ObserveBinary = typeof(ModuleHooks).GetMethod(
        nameof(Observe2),
        BindingFlags.NonPublic | BindingFlags.Static
    )!;

    extension(nn.Module module)
    {
        /// <summary>Whether any forward hook (typed or observer) is registered on this module.</summary>
        public bool HasForwardHooks =>
            HookFieldsOf(module.GetType()).Any(f => f.GetValue(module) is ICollection { Count: > 0 });

        public HookHandle ObserveForward(
            Action<nn.Module, object?>? before = null,
            Action<nn.Module, object?, object?>? after = null
        )
        {
            if (before is null && after is null)
            {
                throw new ArgumentException("ObserveForward needs a before or an after observer");
            }

            for (var type = module.GetType(); type is not null; type = type.BaseType)
            {
                if (!type.IsGenericType)
                {
                    continue;
                }

                var definition = type.GetGenericTypeDefinition();
                if (definition == typeof(nn.Module<,>))
                {
                    return (HookHandle)
                        ObserveUnary
                            .MakeGenericMethod(type.GetGenericArguments())
                            .Invoke(null, [module, before, after])!;
                }

                if (definition == typeof(nn.Module<,,>))
                {
                    return (HookHandle)
                        ObserveBinary
                            .MakeGenericMethod(type.GetGenericArguments())
                            .Invoke(null, [module, before, after])!;
                }
            }
            // Containers without a forward of their own (ModuleList, ModuleDict) are never called: nothing to observe.
            return new HookHandle(static () => { });
        }
    }

    private static HookHandle Observe<T, TResult>(
        nn.Module<T, TResult> module,
        Action<nn.Module, object?>? before,
        Action<nn.Module, object?, object?>? after
    )
    {
        var pre = before is null
            ? null
            : module.register_forward_pre_hook(
                (m, input) =>
                {
                    before(m, input);
                    return input;
                }
            );
        var post = after is null
            ? null
            : module.register_forward_hook(
                (m, input, output) =>
                {
                    after(m, input, output);
                    return output;
                }
            );
        return new HookHandle(() =>
        {
            pre?.remove();
            post?.remove();
        });
    }

    private static HookHandle Observe2<T1, T2, TResult>(
        nn.Module<T1, T2, TResult> module,
        Action<nn.Module, object?>? before,
        Action<nn.Module, object?, object?>? after
    )
    {
        var pre = before is null
            ? null
            : module.register_forward_pre_hook(
                (m, a, b) =>
                {
                    before(m, (a, b));
                    return null;
                }
            );
        var post = after is null
            ? null
            : module.register_forward_hook(
                (m, a, b, output) =>
                {
                    after(m, (a, b), output);
                    return output;
                }
            );
        return new HookHandle(() =>
        {
            pre?.remove();
            post?.remove();
        });
    }

    // TorchSharp keeps hooks in protected dictionaries of HookableModule<,> and has no public "any hooks?" query;
    // the fused WaveNet path needs one so that observers always see one call per module.
    private static FieldInfo[] HookFieldsOf(Type type) => HookFields.GetOrAdd(type, static t =>
        {
            for (var current = t; current is not null; current = current.BaseType)
            {
                if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(nn.HookableModule<,>))
                {
                    return current
                        .GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
                        .Where(f =>
                            f.Name.EndsWith("hooks", StringComparison.Ordinal)
                            && typeof(ICollection).IsAssignableFrom(f.FieldType)
                        )
                        .ToArray();
                }
            }
            return [];
        });
}

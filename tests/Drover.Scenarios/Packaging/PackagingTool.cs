namespace Drover.Scenarios.Packaging;

/// <summary>The real clients a packaging test needs; each is installed by hack/tools.sh.</summary>
[Flags]
public enum PackagingTool
{
    None = 0,
    Helm = 1,
    Kubectl = 2,
    /// <summary>node with the kubernetes-models validator's packages under .tools/node_modules.</summary>
    Validator = 4,
    /// <summary>node with fengari (a Lua VM) under .tools/node_modules, for the Argo CD health script.</summary>
    LuaVm = 8,
    /// <summary>The NativeAOT drover binary for this machine's architecture, from make publish.</summary>
    PublishedOperator = 16,
}

namespace Drover.Scenarios.Packaging;

/// <summary>
/// A fact that needs real packaging tools. When one is missing the test is skipped with a reason that
/// says which and how to get it, instead of passing without having checked anything.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PackagingFactAttribute : FactAttribute
{
    public PackagingFactAttribute(PackagingTool needs)
    {
        Needs = needs;
        var missing = RepositoryLayout.MissingTools(needs);
        if (missing is not null)
        {
            Skip = missing;
        }
    }

    public PackagingTool Needs { get; }
}

using k8s.Models;

namespace Drover.Api.Access;

/// <summary>Evaluates a <c>metav1.LabelSelector</c> against a set of labels, as the API server does.</summary>
public static class LabelSelectorMatcher
{
    /// <summary>
    /// Whether <paramref name="labels"/> satisfy every matchLabels entry and every matchExpressions requirement.
    /// An empty selector matches everything; an unknown operator matches nothing.
    /// </summary>
    public static bool Matches(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var present = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var satisfied = requirement.OperatorProperty switch
            {
                "In" => present && values.Contains(actual!),
                "NotIn" => !present || !values.Contains(actual!),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!satisfied)
            {
                return false;
            }
        }

        return true;
    }
}

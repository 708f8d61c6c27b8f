using System.Globalization;

namespace Drover.Api.Validation;

/// <summary>Collects the errors of one validation run and phrases the common ones the same way for every kind.</summary>
internal sealed class ValidationErrors
{
    private readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> ToList() => _errors.ToArray();

    public void Add(string field, string message) => _errors.Add(new ValidationError(field, message));

    public void Required(string field, string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{what} is required.");
        }
    }

    public void OneOf(string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Add(field, $"\"{value}\" is not supported; use one of: {string.Join(", ", allowed)}.");
        }
    }

    public void AtLeast(string field, long? value, long minimum)
    {
        if (value is { } v && v < minimum)
        {
            Add(field, string.Create(CultureInfo.InvariantCulture, $"must be at least {minimum}, got {v}."));
        }
    }

    public void Between(string field, long? value, long minimum, long maximum)
    {
        if (value is { } v && (v < minimum || v > maximum))
        {
            Add(field, string.Create(CultureInfo.InvariantCulture, $"must be between {minimum} and {maximum}, got {v}."));
        }
    }

    public void Between(string field, decimal? value, decimal minimum, decimal maximum)
    {
        if (value is { } v && (v < minimum || v > maximum))
        {
            Add(field, string.Create(CultureInfo.InvariantCulture, $"must be between {minimum} and {maximum}, got {v}."));
        }
    }

    /// <summary>The rules of a budget, the same on Agents and Schedules.</summary>
    public void Budget(string field, V1Alpha1.Budget? budget)
    {
        if (budget is null)
        {
            return;
        }

        Between(field + ".tokensPerDay", budget.TokensPerDay, 1, V1Alpha1.Budget.MaxTokensPerDay);
        Between(field + ".costPerDay", budget.CostPerDay, 0m, V1Alpha1.Budget.MaxCostPerDay);
        if (budget.TokensPerDay is null && budget.CostPerDay is null)
        {
            Add(field, "a budget needs tokensPerDay, costPerDay or both.");
        }

        if (!Scheduling.TimeZones.TryFind(budget.TimeZone, out _, out var zoneError))
        {
            Add(field + ".timeZone", zoneError!);
        }
    }

    public void Port(string field, long? value) => Between(field, value, 1, 65535);

    public void ExactlyOne(string firstField, bool firstSet, string secondField, bool secondSet)
    {
        if (firstSet && secondSet)
        {
            Add(secondField, $"set either {firstField} or {secondField}, not both.");
        }
        else if (!firstSet && !secondSet)
        {
            Add(firstField, $"set {firstField} or {secondField}.");
        }
    }

    public void KeyReference(string field, string? name, string? key, string what)
    {
        Required(field + ".name", name, $"the {what} name");
        Required(field + ".key", key, $"the {what} key");
    }
}

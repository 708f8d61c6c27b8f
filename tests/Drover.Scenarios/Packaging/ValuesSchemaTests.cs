namespace Drover.Scenarios.Packaging;

/// <summary>Does values.schema.json turn a bad value into a clear error before anything is rendered?</summary>
public sealed class ValuesSchemaTests
{
    private static ToolResult TemplateWith(params string[] sets) =>
        ToolRun.Helm(["template", "drover", RepositoryLayout.Chart, .. sets.SelectMany(s => new[] { "--set", s })]);

    private static void AssertRejected(ToolResult render, params string[] expected)
    {
        Assert.True(render.ExitCode != 0, "helm accepted the values:\n" + render.Describe());
        Assert.Contains("values don't meet the specifications of the schema", render.StandardError);
        foreach (var text in expected)
        {
            Assert.Contains(text, render.StandardError);
        }
    }

    [PackagingFact(PackagingTool.Helm)]
    public void A_log_format_other_than_json_or_text_is_rejected() =>
        AssertRejected(TemplateWith("logFormat=xml"), "at '/logFormat'", "value must be one of 'json', 'text'");

    [PackagingFact(PackagingTool.Helm)]
    public void Negative_replicas_are_rejected() =>
        AssertRejected(TemplateWith("replicas=-1"), "at '/replicas'", "minimum: got -1, want 0");

    [PackagingFact(PackagingTool.Helm)]
    public void An_unknown_top_level_key_is_rejected() =>
        AssertRejected(TemplateWith("replica=2"), "additional properties 'replica' not allowed");

    [PackagingFact(PackagingTool.Helm)]
    public void An_unknown_nested_key_is_rejected() =>
        AssertRejected(TemplateWith("image.registry=example.com"), "at '/image'", "additional properties 'registry' not allowed");

    [PackagingFact(PackagingTool.Helm)]
    public void A_digest_that_is_not_sha256_is_rejected() =>
        AssertRejected(TemplateWith("image.digest=latest"), "at '/image/digest'");

    [PackagingFact(PackagingTool.Helm)]
    public void A_watched_namespace_that_is_not_a_dns_label_is_rejected() =>
        AssertRejected(TemplateWith("watchNamespaces[0]=Team_A"), "at '/watchNamespaces/0'");

    [PackagingFact(PackagingTool.Helm)]
    public void An_otlp_endpoint_without_a_scheme_is_rejected() =>
        AssertRejected(TemplateWith("agentOtlpEndpoint=collector:4317"), "at '/agentOtlpEndpoint'");

    [PackagingFact(PackagingTool.Helm)]
    public void A_resync_period_drover_run_cannot_read_is_rejected()
    {
        AssertRejected(TemplateWith("resyncPeriod=0s"), "at '/resyncPeriod'");
        AssertRejected(TemplateWith("resyncPeriod=1h30m"), "at '/resyncPeriod'");
        AssertRejected(TemplateWith("resyncPeriod=500ms"), "at '/resyncPeriod'");
    }

    [PackagingFact(PackagingTool.Helm)]
    public void An_unknown_provider_type_is_rejected() =>
        AssertRejected(TemplateWith("providers[0].name=x", "providers[0].type=Llama"), "at '/providers/0/type'");

    [PackagingFact(PackagingTool.Helm)]
    public void A_provider_key_given_both_inline_and_by_secret_is_rejected() =>
        AssertRejected(
            TemplateWith("providers[0].name=x", "providers[0].type=OpenAI", "providers[0].apiKey.value=sk-1", "providers[0].apiKey.secretName=s"),
            "at '/providers/0/apiKey'");

    [PackagingFact(PackagingTool.Helm)]
    public void An_openai_compatible_provider_without_an_endpoint_fails_with_a_reason()
    {
        var render = TemplateWith("providers[0].name=vllm", "providers[0].type=OpenAICompatible");

        Assert.True(render.ExitCode != 0, render.Describe());
        Assert.Contains("providers[vllm]: type OpenAICompatible needs endpoint (or baseUrl)", render.StandardError);
    }

    [PackagingFact(PackagingTool.Helm)]
    public void Valid_overrides_are_accepted() =>
        TemplateWith("logFormat=text", "replicas=0", "image.digest=sha256:" + new string('a', 64)).Succeeded();
}

using Drover.DevCluster.Schema;

namespace Drover.DevCluster.Tests.Schema;

public class SchemaValidationTests
{
    /// <summary>A root schema whose spec has one property <c>v</c> with the given schema JSON.</summary>
    private static StructuralSchema SpecWith(string propertySchema) => StructuralSchema.Parse(JsonText.Object(
        """{"type":"object","properties":{"spec":{"type":"object","properties":{"v":""" + propertySchema + "}}}}"));

    private static IReadOnlyList<FieldError> Check(string propertySchema, string valueJson) =>
        SpecWith(propertySchema).Validate(JsonText.Widget($$"""{"v":{{valueJson}}}"""));

    private static FieldError Single(string propertySchema, string valueJson)
    {
        var errors = Check(propertySchema, valueJson);
        return Assert.Single(errors);
    }

    [Theory]
    [InlineData("""{"type":"integer"}""", "3")]
    [InlineData("""{"type":"integer"}""", "3.0")]
    [InlineData("""{"type":"number"}""", "3")]
    [InlineData("""{"type":"number"}""", "2.5")]
    [InlineData("""{"type":"string"}""", "\"x\"")]
    [InlineData("""{"type":"boolean"}""", "false")]
    [InlineData("""{"type":"array"}""", "[]")]
    [InlineData("""{"type":"object"}""", "{}")]
    [InlineData("""{"x-kubernetes-preserve-unknown-fields":true}""", "[1,{\"a\":2}]")]
    public void Values_of_the_declared_type_pass(string schema, string value) => Assert.Empty(Check(schema, value));

    [Fact]
    public void A_string_where_an_integer_is_declared_is_a_type_error_in_apiserver_wording()
    {
        var error = Single("""{"type":"integer"}""", "\"three\"");
        Assert.Equal(new FieldError("spec.v", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.v in body must be of type integer: \"string\""), error);
    }

    [Theory]
    [InlineData("""{"type":"integer"}""", "2.5", "number", "integer")]
    [InlineData("""{"type":"string"}""", "7", "integer", "string")]
    [InlineData("""{"type":"boolean"}""", "\"true\"", "string", "boolean")]
    [InlineData("""{"type":"object"}""", "[]", "array", "object")]
    [InlineData("""{"type":"array"}""", "{}", "object", "array")]
    public void Values_of_another_type_fail(string schema, string value, string actual, string expected)
    {
        var error = Single(schema, value);
        Assert.Equal("FieldValueTypeInvalid", error.Reason);
        Assert.Equal($"Invalid value: \"{actual}\": spec.v in body must be of type {expected}: \"{actual}\"", error.Message);
    }

    [Fact]
    public void Null_fails_unless_the_schema_is_nullable()
    {
        var error = Single("""{"type":"string"}""", "null");
        Assert.Equal("Invalid value: \"null\": spec.v in body must be of type string: \"null\"", error.Message);
        Assert.Empty(Check("""{"type":"string","nullable":true}""", "null"));
    }

    [Fact]
    public void Required_properties_must_be_present()
    {
        var schema = StructuralSchema.Parse(JsonText.Object("""
            {"type":"object","properties":{"spec":{"type":"object","required":["image","port"],
              "properties":{"image":{"type":"string"},"port":{"type":"integer"}}}}}
            """));

        Assert.Empty(schema.Validate(JsonText.Widget("""{"image":"busybox","port":80}""")));
        var errors = schema.Validate(JsonText.Widget("""{"image":"busybox"}"""));
        Assert.Equal([new FieldError("spec.port", "FieldValueRequired", "Required value")], errors);
    }

    [Fact]
    public void Enum_lists_the_supported_values_quoted()
    {
        const string schema = """{"type":"string","enum":["Forbid","Allow","Replace"]}""";
        Assert.Empty(Check(schema, "\"Allow\""));
        Assert.Equal(
            new FieldError("spec.v", "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Forbid\", \"Allow\", \"Replace\""),
            Single(schema, "\"Sometimes\""));
    }

    [Fact]
    public void Enum_of_numbers_quotes_the_supported_values_but_not_the_bad_one()
    {
        const string schema = """{"type":"integer","enum":[1,2]}""";
        Assert.Empty(Check(schema, "2"));
        Assert.Equal("Unsupported value: 3: supported values: \"1\", \"2\"", Single(schema, "3").Message);
    }

    [Theory]
    [InlineData("""{"type":"integer","minimum":1}""", "1", "0", "Invalid value: 0: spec.v in body should be greater than or equal to 1")]
    [InlineData("""{"type":"integer","minimum":1,"exclusiveMinimum":true}""", "2", "1", "Invalid value: 1: spec.v in body should be greater than 1")]
    [InlineData("""{"type":"integer","maximum":10}""", "10", "11", "Invalid value: 11: spec.v in body should be less than or equal to 10")]
    [InlineData("""{"type":"integer","maximum":10,"exclusiveMaximum":true}""", "9", "10", "Invalid value: 10: spec.v in body should be less than 10")]
    [InlineData("""{"type":"number","maximum":0.5}""", "0.25", "0.75", "Invalid value: 0.75: spec.v in body should be less than or equal to 0.5")]
    [InlineData("""{"type":"number","maximum":1000000}""", "999999", "1000001", "Invalid value: 1000001: spec.v in body should be less than or equal to 1e+06")]
    [InlineData("""{"type":"number","minimum":0.0001}""", "0.0001", "0.00001", "Invalid value: 1e-05: spec.v in body should be greater than or equal to 0.0001")]
    [InlineData("""{"type":"number","maximum":123456.5}""", "1.5e3", "2.5e6", "Invalid value: 2.5e+06: spec.v in body should be less than or equal to 123456.5")]
    [InlineData("""{"type":"integer","multipleOf":5}""", "15", "7", "Invalid value: 7: spec.v in body should be a multiple of 5")]
    [InlineData("""{"type":"string","minLength":3}""", "\"abc\"", "\"ab\"", "Invalid value: \"ab\": spec.v in body should be at least 3 chars long")]
    [InlineData("""{"type":"string","pattern":"^[a-z]+$"}""", "\"abc\"", "\"ABC\"", "Invalid value: \"ABC\": spec.v in body should match '^[a-z]+$'")]
    [InlineData("""{"type":"array","minItems":1}""", "[1]", "[]", "Invalid value: 0: spec.v in body should have at least 1 items")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "[1,2]", "[1,1]", "Invalid value: \"\": spec.v in body shouldn't contain duplicates")]
    [InlineData("""{"type":"object","minProperties":1}""", "{\"a\":1}", "{}", "Invalid value: 0: spec.v in body should have at least 1 properties")]
    [InlineData("""{"type":"integer","format":"int32"}""", "2147483647", "2147483648", "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.v")]
    public void Value_validations_pass_at_the_limit_and_fail_beyond_it_as_FieldValueInvalid(string schema, string passing, string failing, string message)
    {
        Assert.Empty(Check(schema, passing));
        Assert.Equal(new FieldError("spec.v", "FieldValueInvalid", message), Single(schema, failing));
    }

    [Fact]
    public void MaxLength_is_FieldValueTooLong_and_counts_characters_not_bytes()
    {
        const string schema = """{"type":"string","maxLength":3}""";
        Assert.Empty(Check(schema, "\"äöü\""));
        Assert.Equal(new FieldError("spec.v", "FieldValueTooLong", "Too long: may not be more than 3 bytes"), Single(schema, "\"abcd\""));
    }

    [Fact]
    public void MaxItems_and_maxProperties_are_FieldValueTooMany()
    {
        Assert.Empty(Check("""{"type":"array","maxItems":2}""", "[1,2]"));
        Assert.Equal(new FieldError("spec.v", "FieldValueTooMany", "Too many: 3: must have at most 2 items"), Single("""{"type":"array","maxItems":2}""", "[1,2,3]"));
        Assert.Empty(Check("""{"type":"object","maxProperties":1}""", "{\"a\":1}"));
        Assert.Equal(new FieldError("spec.v", "FieldValueTooMany", "Too many: 2: must have at most 1 item"), Single("""{"type":"object","maxProperties":1}""", "{\"a\":1,\"b\":2}"));
    }

    [Theory]
    [InlineData("date-time", "2024-05-01T10:00:00Z", "yesterday")]
    [InlineData("date-time", "2024-05-01T10:00:00.123456+02:00", "2024-05-01")]
    [InlineData("date", "2024-05-01", "2024-13-01")]
    [InlineData("byte", "aGVsbG8=", "not base64!")]
    [InlineData("uuid", "0b7e5b8a-8d3c-4a55-9a3e-0f1c2d3e4f50", "1234")]
    [InlineData("ipv4", "10.0.0.1", "10.0.0")]
    [InlineData("cidr", "10.0.0.0/8", "10.0.0.0/33")]
    [InlineData("hostname", "api.example.com", "bad_host!")]
    public void String_formats_are_checked(string format, string passing, string failing)
    {
        var schema = $$"""{"type":"string","format":"{{format}}"}""";
        Assert.Empty(Check(schema, $"\"{passing}\""));
        Assert.Equal(
            new FieldError("spec.v", "FieldValueTypeInvalid", $"Invalid value: \"{failing}\": spec.v in body must be of type {format}: \"{failing}\""),
            Single(schema, $"\"{failing}\""));
    }

    [Fact]
    public void Unknown_formats_are_accepted_like_the_apiserver_does()
    {
        Assert.Empty(Check("""{"type":"string","format":"something-custom"}""", "\"anything\""));
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("\"http\"")]
    [InlineData("\"50%\"")]
    public void Int_or_string_accepts_integers_and_strings(string value) =>
        Assert.Empty(Check("""{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}""", value));

    [Theory]
    [InlineData("true", "boolean")]
    [InlineData("1.5", "number")]
    [InlineData("{}", "object")]
    public void Int_or_string_rejects_other_types(string value, string actual)
    {
        var error = Single("""{"x-kubernetes-int-or-string":true}""", value);
        Assert.Equal(new FieldError("spec.v", "FieldValueTypeInvalid", $"Invalid value: \"{actual}\": spec.v in body must be of type integer,string: \"{actual}\""), error);
    }

    [Fact]
    public void AnyOf_needs_one_matching_branch()
    {
        const string schema = """{"type":"integer","anyOf":[{"minimum":10},{"maximum":0}]}""";
        Assert.Empty(Check(schema, "12"));
        Assert.Empty(Check(schema, "-1"));
        Assert.Equal(new FieldError("spec.v", "FieldValueInvalid", "Invalid value: \"\": \"spec.v\" must validate at least one schema (anyOf)"), Single(schema, "5"));
    }

    [Fact]
    public void OneOf_needs_exactly_one_matching_branch()
    {
        var schema = SpecWith("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"oneOf":[{"required":["a"]},{"required":["b"]}]}""");
        Assert.Empty(schema.Validate(JsonText.Widget("""{"v":{"a":"x"}}""")));

        var both = Assert.Single(schema.Validate(JsonText.Widget("""{"v":{"a":"x","b":"y"}}""")));
        Assert.Equal("Invalid value: \"\": \"spec.v\" must validate one and only one schema (oneOf). Found 2 valid alternatives", both.Message);

        var neither = Assert.Single(schema.Validate(JsonText.Widget("""{"v":{}}""")));
        Assert.Equal("Invalid value: \"\": \"spec.v\" must validate one and only one schema (oneOf). Found none valid", neither.Message);
    }

    [Fact]
    public void AllOf_reports_the_failing_branch_and_a_summary()
    {
        const string schema = """{"type":"integer","allOf":[{"minimum":0},{"maximum":10}]}""";
        Assert.Empty(Check(schema, "5"));
        var errors = Check(schema, "11");
        Assert.Equal(2, errors.Count);
        Assert.Equal("Invalid value: 11: spec.v in body should be less than or equal to 10", errors[0].Message);
        Assert.Equal("Invalid value: \"\": \"spec.v\" must validate all the schemas (allOf)", errors[1].Message);
    }

    [Fact]
    public void Not_rejects_values_matching_its_schema()
    {
        const string schema = """{"type":"string","not":{"enum":["root"]}}""";
        Assert.Empty(Check(schema, "\"agent\""));
        Assert.Equal("Invalid value: \"\": \"spec.v\" must not validate the schema (not)", Single(schema, "\"root\"").Message);
    }

    [Fact]
    public void List_type_map_reports_each_repeated_key_at_its_second_index()
    {
        const string schema = """
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["type"],
             "items":{"type":"object","required":["type"],"properties":{"type":{"type":"string"},"status":{"type":"string"}}}}
            """;
        Assert.Empty(Check(schema, """[{"type":"Ready","status":"True"},{"type":"Synced","status":"True"}]"""));

        var errors = Check(schema, """[{"type":"Ready","status":"True"},{"type":"Ready","status":"False"},{"type":"Ready"}]""");
        Assert.Equal([new FieldError("spec.v[1]", "FieldValueDuplicate", "Duplicate value: {\"type\":\"Ready\"}")], errors);
    }

    [Fact]
    public void List_type_map_with_two_keys_compares_both()
    {
        const string schema = """
            {"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["containerPort","protocol"],
             "items":{"type":"object","properties":{"containerPort":{"type":"integer"},"protocol":{"type":"string"}}}}
            """;
        Assert.Empty(Check(schema, """[{"containerPort":80,"protocol":"TCP"},{"containerPort":80,"protocol":"UDP"}]"""));
        var error = Single(schema, """[{"containerPort":80,"protocol":"TCP"},{"protocol":"TCP","containerPort":80}]""");
        Assert.Equal(new FieldError("spec.v[1]", "FieldValueDuplicate", "Duplicate value: {\"containerPort\":80,\"protocol\":\"TCP\"}"), error);
    }

    [Fact]
    public void List_type_set_rejects_repeated_items()
    {
        const string schema = """{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}""";
        Assert.Empty(Check(schema, """["amd64","arm64"]"""));
        Assert.Equal(new FieldError("spec.v[2]", "FieldValueDuplicate", "Duplicate value: \"arm64\""), Single(schema, """["arm64","amd64","arm64"]"""));
    }

    [Fact]
    public void Errors_inside_arrays_of_objects_carry_indexed_paths()
    {
        const string schema = """{"type":"array","items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer","maximum":65535}}}}""";
        var errors = Check(schema, """[{"name":"a","port":80},{"port":70000}]""");
        Assert.Equal(
            [
                new FieldError("spec.v[1].name", "FieldValueRequired", "Required value"),
                new FieldError("spec.v[1].port", "FieldValueInvalid", "Invalid value: 70000: spec.v[1].port in body should be less than or equal to 65535"),
            ],
            errors);
    }

    [Fact]
    public void Additional_properties_values_are_validated()
    {
        const string schema = """{"type":"object","additionalProperties":{"type":"string"}}""";
        Assert.Empty(Check(schema, """{"a":"x"}"""));
        Assert.Equal("Invalid value: \"integer\": spec.v.b in body must be of type string: \"integer\"", Single(schema, """{"a":"x","b":1}""").Message);
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("-leading-dash")]
    [InlineData("UPPER")]
    public void Metadata_name_must_be_a_dns_subdomain(string name)
    {
        var schema = StructuralSchema.Parse(JsonText.Object("""{"type":"object"}"""));
        var obj = JsonText.Named(name);
        var error = Assert.Single(schema.Validate(obj));
        Assert.Equal("metadata.name", error.Field);
        Assert.Equal("FieldValueInvalid", error.Reason);
        Assert.StartsWith($"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of", error.Message);
    }

    [Fact]
    public void Metadata_name_may_be_long_dotted_lowercase_but_not_over_253_characters()
    {
        var schema = StructuralSchema.Parse(JsonText.Object("""{"type":"object"}"""));
        var ok = JsonText.Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"my-agent.team-a.v2"}}""");
        Assert.Empty(schema.Validate(ok));

        var longName = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        var tooLong = JsonText.Named(longName);
        var error = Assert.Single(schema.Validate(tooLong));
        Assert.Equal($"Invalid value: \"{longName}\": must be no more than 253 characters", error.Message);
    }

    [Fact]
    public void A_missing_name_is_accepted_only_with_generateName()
    {
        var schema = StructuralSchema.Parse(JsonText.Object("""{"type":"object"}"""));
        var unnamed = JsonText.Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{}}""");
        Assert.Equal([new FieldError("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")], schema.Validate(unnamed));

        var generated = JsonText.Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"generateName":"w-"}}""");
        Assert.Empty(schema.Validate(generated));
    }

    [Fact]
    public void Embedded_resources_need_apiVersion_and_kind()
    {
        var schema = SpecWith("""{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}""");
        Assert.Empty(schema.Validate(JsonText.Widget("""{"v":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}""")));

        var errors = schema.Validate(JsonText.Widget("""{"v":{"metadata":{"name":"c"}}}"""));
        Assert.Equal(
            [
                new FieldError("spec.v.apiVersion", "FieldValueRequired", "Required value"),
                new FieldError("spec.v.kind", "FieldValueRequired", "Required value"),
            ],
            errors);
    }

    [Fact]
    public void A_pattern_that_does_not_compile_is_rejected_when_parsing()
    {
        var ex = Assert.Throws<FormatException>(() => SpecWith("""{"type":"string","pattern":"(unclosed"}"""));
        Assert.Contains("pattern", ex.Message);
    }
}

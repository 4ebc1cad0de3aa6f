using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;

namespace Sambung.UnitTests.Web;

public sealed class SendTests
{
    private static IFormCollection Form(params (string Name, string Value)[] fields) =>
        new FormCollection(fields.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => new StringValues(g.Last().Value))); // the last one set wins

    [Fact]
    public void the_composer_form_is_read_with_its_unset_hidden_fields_as_no_value()
    {
        var (message, reply, parent, template) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());

        var read = ComposerForm.Read(Form(("MessageId", message.ToString()), ("ReplyId", reply.ToString()), ("ParentId", parent.ToString()),
            ("ExpectedVersion", " 7 "), ("Text", "  Hello  "), ("TemplateId", ""), ("TemplateVersion", "")))!;

        Assert.Equal((message, reply, parent, 7L, "  Hello  "), (read.MessageId, read.ReplyId, read.ParentId, read.ExpectedVersion, read.Text));
        Assert.Equal((null, null, null), (read.TemplateId, read.TemplateVersion, read.Template));

        var withTemplate = ComposerForm.Read(Form(("MessageId", message.ToString()), ("ReplyId", reply.ToString()), ("TemplateId", template.ToString()), ("TemplateVersion", "2")))!;
        Assert.Equal(new TemplateRef(template, 2), withTemplate.Template);
        Assert.Equal((Guid.Empty, Guid.Empty, ""), (ComposerForm.Read(Form())!.MessageId, ComposerForm.Read(Form())!.ReplyId, ComposerForm.Read(Form())!.Text));
    }

    [Theory]
    [InlineData("MessageId", "not-an-id")]
    [InlineData("ReplyId", "123")]
    [InlineData("ParentId", "{oops}")]
    [InlineData("ExpectedVersion", "v7")]
    [InlineData("TemplateVersion", "two")]
    [InlineData("ConversationId", "x")]
    public void a_field_that_does_not_parse_makes_the_post_malformed(string field, string value) =>
        Assert.Null(ComposerForm.Read(Form(("MessageId", Guid.CreateVersion7().ToString()), ("ReplyId", Guid.CreateVersion7().ToString()), (field, value))));

    [Fact]
    public void a_remembered_proof_is_kept_for_five_minutes_and_a_full_memory_starts_again()
    {
        var clock = new ManualClock();
        var memory = new ProofMemory<string>(clock, capacity: 2);
        memory.Remember("a", "first");

        Assert.True(memory.TryGet("a", out var found));
        Assert.Equal("first", found);
        Assert.False(memory.TryGet("b", out _));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(memory.TryGet("a", out _)); // expired

        memory.Remember("b", "second");
        memory.Remember("c", "third"); // full: forgets everything before
        Assert.Equal(1, memory.Count);
        Assert.True(memory.TryGet("c", out _));
    }

    [Fact]
    public void a_remembered_ticket_is_a_copy_each_time_and_a_failed_one_is_not_remembered()
    {
        var inner = new CountingFormat();
        var format = new RememberedTicketFormat(inner, new ManualClock());

        var first = format.Unprotect("cookie")!;
        first.Properties.IssuedUtc = DateTimeOffset.UnixEpoch; // what a validator may do to the one it is given
        ((System.Security.Claims.ClaimsIdentity)first.Principal.Identity!).AddClaim(new("extra", "1"));
        var second = format.Unprotect("cookie")!;

        Assert.Equal(1, inner.Calls);
        Assert.NotEqual(DateTimeOffset.UnixEpoch, second.Properties.IssuedUtc);
        Assert.Null(second.Principal.FindFirst("extra"));
        Assert.Null(format.Unprotect("forged"));
        Assert.Null(format.Unprotect("forged"));
        Assert.Equal(3, inner.Calls);
    }

    // A localizer that knows a few keys; any other is reported as not found, as resources do.
    private sealed class Known(params string[] keys) : Microsoft.Extensions.Localization.IStringLocalizer
    {
        public Microsoft.Extensions.Localization.LocalizedString this[string name] => new(name, $"<{name}>", resourceNotFound: !keys.Contains(name));
        public Microsoft.Extensions.Localization.LocalizedString this[string name, params object[] arguments] => this[name];
        public IEnumerable<Microsoft.Extensions.Localization.LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }

    [Fact]
    public void a_refusal_says_a_conflict_the_same_everywhere_and_prefers_the_page_s_own_wording()
    {
        var text = new Known("Refusal.Conflict", "Refusal.NotAReply", "Refusal.Empty", "History.Refusal.Empty");
        Assert.Equal("<Refusal.Conflict>", ComposerAnswers.RefusalText(CommandResult.Conflict, text, pagePrefix: "History."));
        Assert.Equal("<History.Refusal.Empty>", ComposerAnswers.RefusalText(new(CommandStatus.Refused, 3, "Empty"), text, pagePrefix: "History."));
        Assert.Equal("<Refusal.NotAReply>", ComposerAnswers.RefusalText(new(CommandStatus.Refused, 3, "NotAReply"), text, pagePrefix: "History."));
        Assert.Equal("<Refusal.Empty>", ComposerAnswers.RefusalText(new(CommandStatus.Refused, 3, "Empty"), text));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.Parse("2026-11-27T00:00:00Z");

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public int Calls { get; private set; }

        public string Protect(AuthenticationTicket data) => throw new NotSupportedException();

        public string Protect(AuthenticationTicket data, string? purpose) => throw new NotSupportedException();

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Calls++;
            if (protectedText != "cookie") return null;
            var identity = new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.NameIdentifier, "u1")], "test");
            return new AuthenticationTicket(new(identity), new AuthenticationProperties { IssuedUtc = DateTimeOffset.Parse("2026-11-27T00:00:00Z") }, "test");
        }
    }
}

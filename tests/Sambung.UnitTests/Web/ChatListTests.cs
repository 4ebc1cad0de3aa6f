using Sambung.Projections.Conversations;

namespace Sambung.UnitTests.Web;

public sealed class ChatListTests
{
    private static readonly TimeZoneInfo Jakarta = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jakarta");

    private static ChatListItem At(string when, bool pinned = false) => new() { UpdatedAt = DateTimeOffset.Parse(when), Pinned = pinned };

    [Theory]
    [InlineData("2026-11-26T16:30:00Z", "Today")] // 23:30 in Jakarta, the same day
    [InlineData("2026-11-25T17:30:00Z", "Today")] // 00:30 on the 26th in Jakarta, though the 25th in UTC
    [InlineData("2026-11-25T16:30:00Z", "Yesterday")]
    [InlineData("2026-11-19T12:00:00Z", "Previous7Days")]
    [InlineData("2026-11-18T12:00:00Z", "Previous30Days")]
    [InlineData("2026-10-27T12:00:00Z", "Previous30Days")]
    [InlineData("2026-10-25T12:00:00Z", "Older")]
    public void a_chat_is_grouped_by_the_day_of_its_last_activity_in_the_reader_s_time_zone(string updated, string group)
    {
        var now = DateTimeOffset.Parse("2026-11-26T16:45:00Z"); // 23:45 on 26 November in Jakarta
        Assert.Equal(Enum.Parse<ChatListGroup>(group), ChatListGroups.Of(At(updated), now, Jakarta));
    }

    [Fact]
    public void a_pinned_chat_is_pinned_whatever_its_age_and_utc_is_the_default_view()
    {
        var now = DateTimeOffset.Parse("2026-11-26T16:45:00Z");
        Assert.Equal(ChatListGroup.Pinned, ChatListGroups.Of(At("2020-01-01T00:00:00Z", pinned: true), now, Jakarta));
        Assert.Equal(ChatListGroup.Yesterday, ChatListGroups.Of(At("2026-11-25T17:30:00Z"), now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void a_cursor_survives_the_round_trip_and_anything_else_is_no_cursor()
    {
        var cursor = new ChatListCursor(true, DateTimeOffset.Parse("2026-11-26T10:11:12.1234567Z"), Guid.NewGuid());
        Assert.Equal(cursor, ChatListCursor.Parse(cursor.ToString()));
        foreach (var bad in new[] { null, "", "1_2", "2_1_" + Guid.NewGuid().ToString("N"), "1_-5_" + Guid.NewGuid().ToString("N"), "1_99_nope", "1_99999999999999999999_" + Guid.NewGuid().ToString("N") })
            Assert.Null(ChatListCursor.Parse(bad));
    }
}

public sealed class ChatExportTests
{
    [Theory]
    [InlineData("Weekly plan", "Weekly-plan")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("\"quoted\"; rm -rf /", "quoted-rm-rf")]
    [InlineData("Rencana minggu ini ✓", "Rencana-minggu-ini")]
    [InlineData("   ", "chat")]
    [InlineData("***", "chat")]
    public void an_export_file_name_is_letters_digits_and_dashes_only(string title, string name) =>
        Assert.Equal(name, Sambung.Web.Features.Chats.ChatExport.FileName(title));
}

public sealed class SearchSnippetTests
{
    [Theory]
    [InlineData("Book the [[ferry]] and **pack** light", "Book the <mark>ferry</mark> and pack light")]
    [InlineData("```python print('[[hello]]') ```", " print(&#39;<mark>hello</mark>&#39;) ")]
    [InlineData("# Plan\nuse `[[grep]]`", "Plan\nuse <mark>grep</mark>")]
    [InlineData("<script>[[alert]](1)</script>", "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;")]
    public void a_snippet_reads_as_prose_with_its_matches_marked_and_nothing_else_as_markup(string snippet, string html) =>
        Assert.Equal(html, Sambung.Web.Pages.SearchModel.Highlight(snippet));
}

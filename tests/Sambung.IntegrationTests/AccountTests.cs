using System.Net;
using Marten;
using Npgsql;
using Sambung.Events.Accounts;
using Sambung.IntegrationTests.Support;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Accounts;

namespace Sambung.IntegrationTests;

public sealed class AccountTests(AccountsFixture fixture) : AccountsTest(fixture)
{
    private static string Email() => $"u{Guid.NewGuid():N}@example.test";

    private async Task<(TestBrowser Browser, string Email)> SignedInAsync(string? name = null)
    {
        var browser = NewBrowser();
        var email = Email();
        var response = await browser.RegisterAsync(email, name: name ?? "Tester");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (browser, email);
    }

    private async Task<SambungUser> UserAsync(string email)
    {
        await using var session = Store.QuerySession();
        return (await session.Query<SambungUser>().SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant()))!;
    }

    [Fact]
    public async Task registering_signs_in_and_only_the_first_account_becomes_admin()
    {
        var (first, firstEmail) = await SignedInAsync();
        var (second, secondEmail) = await SignedInAsync();

        Assert.Contains("Tester", await first.PageAsync("/"));
        Assert.True((await UserAsync(firstEmail)).IsAdmin);
        Assert.False((await UserAsync(secondEmail)).IsAdmin);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/admin/users")).StatusCode);
        var denied = await second.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.OriginalString.Replace("http://localhost", ""));
    }

    [Fact]
    public async Task a_wrong_password_and_an_unknown_email_get_the_same_answer()
    {
        var (_, email) = await SignedInAsync();
        var wrongPassword = await NewBrowser().SignInAsync(email, "not the password");
        var page1 = await wrongPassword.Content.ReadAsStringAsync();
        var unknown = await NewBrowser().SignInAsync(Email(), "not the password");
        var page2 = await unknown.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(wrongPassword.StatusCode, unknown.StatusCode);
        Assert.Contains("Email or password is incorrect.", page1);
        Assert.Contains("Email or password is incorrect.", page2);
    }

    [Fact]
    public async Task five_failures_lock_the_account_for_fifteen_minutes()
    {
        var (_, email) = await SignedInAsync();
        var attacker = NewBrowser();
        for (var i = 0; i < 5; i++) await attacker.SignInAsync(email, $"guess {i}");

        var withRightPassword = await NewBrowser().SignInAsync(email);

        Assert.Equal(HttpStatusCode.Unauthorized, withRightPassword.StatusCode);
        Assert.Contains("Try again in 15 minutes", await withRightPassword.Content.ReadAsStringAsync());
        var user = await UserAsync(email);
        Assert.InRange(user.LockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
        await using var session = Store.QuerySession();
        var events = (await session.Events.FetchStreamAsync(AccountStream.IdFor(user.Id))).Select(e => e.Data).ToList();
        Assert.Equal(4, events.OfType<SignInFailed>().Count());
        Assert.NotEmpty(events.OfType<LockedOut>());
    }

    [Fact]
    public async Task every_page_but_sign_in_registration_and_health_needs_a_signed_in_user()
    {
        var anonymous = NewBrowser();

        var home = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("/account/signin?ReturnUrl=%2F", home.Headers.Location!.ToString());
        foreach (var url in new[] { "/account/profile", "/account/sessions", $"/c/{Guid.NewGuid()}", $"/chats/{Guid.NewGuid()}/replies/{Guid.NewGuid()}/events", $"/avatars/{Guid.NewGuid()}", "/admin/users" })
            Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/account/signin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/account/register")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("http:evil.example")]
    public async Task the_return_url_never_leaves_sambung(string returnUrl)
    {
        var (_, email) = await SignedInAsync();

        var response = await NewBrowser().SignInAsync(email, returnUrl: returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task a_local_return_url_is_followed()
    {
        var (_, email) = await SignedInAsync();
        var response = await NewBrowser().SignInAsync(email, returnUrl: "/account/sessions");
        Assert.Equal("/account/sessions", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task another_users_conversation_is_not_found_on_every_route()
    {
        var (alice, _) = await SignedInAsync();
        var form = await alice.PageAsync("/");
        var id = Regex(form, "name=\"ConversationId\" value=\"([^\"]+)\"");
        var reply = Regex(form, "name=\"ReplyId\" value=\"([^\"]+)\"");
        var start = await alice.PostWithTokenAsync("/?handler=Start", TestBrowser.Token(form),
            ("ConversationId", id), ("MessageId", Regex(form, "name=\"MessageId\" value=\"([^\"]+)\"")), ("ReplyId", reply), ("Text", "Alice's secret"));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        await Store.ForReplyToEndAsync(Guid.Parse(reply));

        var (bob, _) = await SignedInAsync();
        var bobsToken = TestBrowser.Token(await bob.PageAsync("/"));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/c/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/chats/{id}/replies/{reply}/events")).StatusCode);
        foreach (var handler in new[] { "Send", "Edit", "Regenerate", "Select", "Stop" })
        {
            var post = await bob.PostWithTokenAsync($"/c/{id}?handler={handler}", bobsToken,
                ("MessageId", Guid.NewGuid().ToString()), ("ReplyId", Guid.NewGuid().ToString()), ("NewMessageId", Guid.NewGuid().ToString()),
                ("NewReplyId", Guid.NewGuid().ToString()), ("ReplyOf", reply), ("EditOf", reply), ("NodeId", reply), ("Text", "Bob was here"));
            Assert.True(post.StatusCode == HttpStatusCode.NotFound, $"{handler}: {(int)post.StatusCode}");
        }
        Assert.DoesNotContain("Alice&#x27;s secret", await bob.PageAsync("/"));
        await using var session = Store.QuerySession();
        Assert.DoesNotContain((await session.Events.FetchStreamAsync(Guid.Parse(id))).Select(e => e.Data), e => e.ToString()!.Contains("Bob was here"));
    }

    [Fact]
    public async Task a_form_posted_without_its_antiforgery_token_is_refused()
    {
        var (browser, email) = await SignedInAsync();
        var response = await NewBrowser().PostWithTokenAsync("/account/signin", null, ("Email", email), ("Password", "correct horse battery"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var send = await browser.PostWithTokenAsync($"/?handler=Start", null, ("ConversationId", Guid.NewGuid().ToString()),
            ("MessageId", Guid.NewGuid().ToString()), ("ReplyId", Guid.NewGuid().ToString()), ("Text", "hi"));
        Assert.Equal(HttpStatusCode.BadRequest, send.StatusCode);
    }

    [Fact]
    public async Task revoking_a_session_signs_that_browser_out_and_a_new_password_ends_the_others()
    {
        var (laptop, email) = await SignedInAsync();
        var phone = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await phone.SignInAsync(email)).StatusCode);
        var tablet = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await tablet.SignInAsync(email)).StatusCode);
        var userId = (await UserAsync(email)).Id;
        await using (var session = Store.QuerySession())
            Assert.Equal(3, await session.Query<UserSession>().CountAsync(s => s.UserId == userId));

        var sessions = await laptop.PageAsync("/account/sessions");
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(sessions, "name=\"sessionId\"").Count);
        Guid phoneSession;
        await using (var session = Store.QuerySession())
            phoneSession = (await session.Query<UserSession>().Where(s => s.Address == phone.Address.ToString()).SingleAsync()).Id;
        await laptop.PostAsync("/account/sessions", "/account/sessions?handler=Revoke", ("sessionId", phoneSession.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, (await phone.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tablet.GetAsync("/")).StatusCode);

        var change = await laptop.PostAsync("/account/profile", "/account/profile?handler=Password",
            ("currentPassword", "correct horse battery"), ("newPassword", "an even longer passphrase"));
        Assert.Contains("Password changed", await change.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await tablet.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await NewBrowser().SignInAsync(email, "an even longer passphrase")).StatusCode);

        await laptop.PostAsync("/account/sessions", "/account/sessions?handler=RevokeAll");
        Assert.Equal(HttpStatusCode.Redirect, (await laptop.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task an_avatar_is_checked_by_its_bytes_and_served_with_its_real_type()
    {
        var (browser, email) = await SignedInAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3];

        var ok = await browser.PostMultipartAsync("/account/profile", "/account/profile?handler=Avatar", "avatar", "me.png", png, "image/png");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var user = await UserAsync(email);
        var served = await browser.GetAsync($"/avatars/{user.AvatarId}");
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());

        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"u8.ToArray();
        foreach (var (bytes, name) in new[] { (html, "evil.png"), (svg, "evil.png"), (svg, "evil.svg") })
        {
            var refused = await browser.PostMultipartAsync("/account/profile", "/account/profile?handler=Avatar", "avatar", name, bytes, "image/png");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("not a PNG, JPEG or WebP image", await refused.Content.ReadAsStringAsync());
        }
        var big = new byte[Avatars.MaxBytes + 1];
        png.CopyTo(big, 0);
        var tooBig = await browser.PostMultipartAsync("/account/profile", "/account/profile?handler=Avatar", "avatar", "big.png", big, "image/png");
        Assert.Contains("larger than 2 MB", await tooBig.Content.ReadAsStringAsync());
        Assert.Equal(user.AvatarId, (await UserAsync(email)).AvatarId);
    }

    [Fact]
    public async Task script_in_names_and_bios_renders_as_text()
    {
        const string payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var (admin, _) = await SignedInAsync(name: payload);
        await admin.PostAsync("/account/profile", "/account/profile?handler=Profile", ("DisplayName", payload), ("Bio", payload));

        foreach (var page in new[] { await admin.PageAsync("/"), await admin.PageAsync("/account/profile"), await admin.PageAsync("/admin/users") })
        {
            Assert.DoesNotContain("<script>alert(1)", page);
            Assert.DoesNotContain("<img src=x", page);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page);
        }
    }

    [Fact]
    public async Task an_admin_can_disable_an_account_and_its_sessions_end_at_once()
    {
        var (admin, _) = await SignedInAsync();
        var (user, email) = await SignedInAsync();
        var id = (await UserAsync(email)).Id;

        await admin.PostAsync("/admin/users", "/admin/users?handler=Disable", ("userId", id));

        Assert.Equal(HttpStatusCode.Redirect, (await user.GetAsync("/")).StatusCode);
        var again = await NewBrowser().SignInAsync(email);
        Assert.Contains("This account is disabled", await again.Content.ReadAsStringAsync());
        await admin.PostAsync("/admin/users", "/admin/users?handler=Enable", ("userId", id));
        Assert.Equal(HttpStatusCode.Redirect, (await NewBrowser().SignInAsync(email)).StatusCode);

        await admin.PostAsync("/admin/users", "/admin/users?handler=GrantAdmin", ("userId", id));
        Assert.True((await UserAsync(email)).IsAdmin);
        await using var session = Store.QuerySession();
        Assert.Contains((await session.Events.FetchStreamAsync(AccountStream.IdFor(id))).Select(e => e.Data), e => e is RoleGranted);
    }

    [Fact]
    public async Task a_role_change_signs_the_user_out_when_the_cookies_stamp_check_falls_due()
    {
        var (admin, _) = await SignedInAsync();
        var (user, email) = await SignedInAsync();
        var id = (await UserAsync(email)).Id;
        Assert.Equal(HttpStatusCode.Redirect, (await user.GetAsync("/admin/users")).StatusCode);

        await admin.PostAsync("/admin/users", "/admin/users?handler=GrantAdmin", ("userId", id));

        // Within the check's interval the cookie is taken as it stands: no role yet, still signed in.
        Assert.Equal("/account/denied", (await user.GetAsync("/admin/users")).Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/")).StatusCode);

        // Once the check is due, the account's changed stamp ends the cookie; signing in again brings the role.
        IssueEarlier(user, TimeSpan.FromMinutes(6));
        Assert.Equal("/account/signin", (await user.GetAsync("/")).Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, (await user.SignInAsync(email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/admin/users")).StatusCode);

        // An unchanged stamp passes the due check: the cookie is renewed and the session goes on.
        IssueEarlier(user, TimeSpan.FromMinutes(6));
        var renewed = await user.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Contains(renewed.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sambung.auth=") && !c.StartsWith("sambung.auth=;"));
    }

    // Rewrites the browser's sign-in cookie as if it had been issued that much earlier (the server's own format and
    // keys), which is how a cookie's stamp check falls due without waiting five minutes.
    private void IssueEarlier(TestBrowser browser, TimeSpan by)
    {
        var options = Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme);
        var ticket = options.TicketDataFormat.Unprotect(browser.CookieValue("sambung.auth")) ?? throw new InvalidOperationException("No sign-in cookie");
        ticket.Properties.IssuedUtc -= by;
        browser.SetCookie("sambung.auth", options.TicketDataFormat.Protect(ticket));
    }

    [Fact]
    public async Task registration_can_require_approval_or_be_closed()
    {
        var (admin, _) = await SignedInAsync();
        await admin.PostAsync("/admin/settings", "/admin/settings", ("Registration", "Approval"), ("LocalSignInEnabled", "true"));
        var waiting = NewBrowser();
        var email = Email();

        var registered = await waiting.RegisterAsync(email);
        Assert.Contains("waiting for an administrator", await registered.Content.ReadAsStringAsync());
        Assert.Contains("waiting for an administrator", await (await NewBrowser().SignInAsync(email)).Content.ReadAsStringAsync());
        await admin.PostAsync("/admin/users", "/admin/users?handler=Approve", ("userId", (await UserAsync(email)).Id));
        Assert.Equal(HttpStatusCode.Redirect, (await NewBrowser().SignInAsync(email)).StatusCode);

        await admin.PostAsync("/admin/settings", "/admin/settings", ("Registration", "Closed"), ("LocalSignInEnabled", "true"));
        var closed = NewBrowser();
        Assert.Contains("Registration is closed", await closed.PageAsync("/account/register"));
        var attempt = await closed.PostWithTokenAsync("/account/register", TestBrowser.Token(await closed.PageAsync("/account/signin")),
            ("DisplayName", "X"), ("Email", Email()), ("Password", "correct horse battery"));
        Assert.NotEqual(HttpStatusCode.Redirect, attempt.StatusCode);
    }

    [Fact]
    public async Task sign_in_attempts_are_limited_per_address_with_retry_after()
    {
        var browser = NewBrowser();
        for (var i = 0; i < 10; i++) await browser.SignInAsync(Email(), "whatever");

        var limited = await browser.SignInAsync(Email(), "whatever");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Contains("Too many requests", await limited.Content.ReadAsStringAsync());
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await NewBrowser().SignInAsync(Email(), "whatever")).StatusCode);
    }

    [Fact]
    public async Task deleting_an_account_purges_its_chats_and_it_can_no_longer_sign_in()
    {
        const string marker = "quokkafish";
        var (browser, email) = await SignedInAsync();
        var form = await browser.PageAsync("/");
        var reply = Regex(form, "name=\"ReplyId\" value=\"([^\"]+)\"");
        await browser.PostWithTokenAsync("/?handler=Start", TestBrowser.Token(form), ("ConversationId", Regex(form, "name=\"ConversationId\" value=\"([^\"]+)\"")),
            ("MessageId", Regex(form, "name=\"MessageId\" value=\"([^\"]+)\"")), ("ReplyId", reply), ("Text", $"My {marker} diary"));
        await Store.ForReplyToEndAsync(Guid.Parse(reply));

        var wrong = await browser.PostAsync("/account/profile", "/account/profile?handler=Delete", ("confirmEmail", "someone@else.test"));
        Assert.Contains("does not match", await wrong.Content.ReadAsStringAsync());
        var deleted = await browser.PostAsync("/account/profile", "/account/profile?handler=Delete", ("confirmEmail", email));

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        await Waiting.UntilAsync(async () => await CountAsync(marker) == 0, "the account's text to disappear");
        Assert.Equal(HttpStatusCode.Unauthorized, (await NewBrowser().SignInAsync(email)).StatusCode);
        await using var session = Store.QuerySession();
        Assert.Empty(await session.Query<ChatListItem>().ToListAsync());
    }

    [Fact]
    public async Task every_response_carries_the_security_headers()
    {
        var response = await NewBrowser().GetAsync("/account/signin");
        string Header(string name) => response.Headers.GetValues(name).Single();

        Assert.Contains("script-src 'self'", Header("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header("Content-Security-Policy"));
        Assert.DoesNotContain("unsafe-inline", Header("Content-Security-Policy"));
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("same-origin", Header("Referrer-Policy"));
        Assert.Contains("camera=()", Header("Permissions-Policy"));
        Assert.DoesNotContain("<script>", (await response.Content.ReadAsStringAsync()).Replace("<script src=", ""));
    }

    private static string Regex(string html, string pattern) => System.Text.RegularExpressions.Regex.Match(html, pattern).Groups[1].Value;

    private async Task<long> CountAsync(string text)
    {
        await using var db = NpgsqlDataSource.Create(Fixture.ConnectionString);
        var tables = new List<string>();
        await using (var list = db.CreateCommand("select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables where table_schema in ('sambung', 'public') and table_type = 'BASE TABLE'"))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        long count = 0;
        foreach (var table in tables)
        {
            await using var cmd = db.CreateCommand($"select count(*) from {table} t where t::text ilike '%' || $1 || '%'");
            cmd.Parameters.AddWithValue(text);
            count += (long)(await cmd.ExecuteScalarAsync())!;
        }
        return count;
    }
}

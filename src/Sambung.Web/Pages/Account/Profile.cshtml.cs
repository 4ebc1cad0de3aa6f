using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Accounts;
using Sambung.Web.Features.Accounts;

namespace Sambung.Web.Pages.Account;

// The signed-in user's profile: name, bio and avatar; password; and deleting the account.
public sealed class ProfileModel(
    UserManager<SambungUser> users, SignInManager<SambungUser> signIn, AccountSignIn accounts, UserSessions sessions, AccountDeletion deletion,
    IDocumentSession session, CurrentUser current, TimeProvider clock, IStringLocalizer<SharedResource> text) : PageModel
{
    public const int MaxBio = 500;

    public SambungUser Account { get; private set; } = null!;
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    [BindProperty, StringLength(RegisterModel.MaxDisplayName, ErrorMessage = "Validation.TooLong"), Display(Name = "Account.DisplayName")]
    public string DisplayName { get; set; } = "";

    [BindProperty, StringLength(MaxBio, ErrorMessage = "Validation.TooLong"), Display(Name = "Profile.Bio")]
    public string? Bio { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await LoadAsync() is not { } account) return NotFound();
        DisplayName = account.DisplayName;
        Bio = account.Bio;
        return Page();
    }

    public async Task<IActionResult> OnPostProfileAsync(CancellationToken ct)
    {
        if (await LoadAsync() is not { } account) return NotFound();
        if (string.IsNullOrWhiteSpace(DisplayName)) ModelState.AddModelError(nameof(DisplayName), text["Validation.Required", text["Account.DisplayName"]]);
        if (!ModelState.IsValid) return Invalid();

        account.DisplayName = DisplayName.Trim();
        account.Bio = (Bio ?? "").Trim();
        await users.UpdateAsync(account);
        await RecordAsync(new ProfileUpdated(account.Id, account.Id, clock.GetUtcNow()), ct);
        await accounts.RefreshAsync(account, User);
        return Saved("Profile.Saved");
    }

    public async Task<IActionResult> OnPostAvatarAsync(IFormFile? avatar, CancellationToken ct)
    {
        if (await LoadAsync() is not { } account) return NotFound();
        if (avatar is null || avatar.Length == 0) return Failed("Profile.AvatarMissing");
        if (avatar.Length > Avatars.MaxBytes) return Failed("Profile.AvatarTooLarge");

        using var buffer = new MemoryStream();
        await avatar.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        if (Avatars.ContentTypeOf(bytes) is not { } contentType) return Failed("Profile.AvatarType");

        var image = new Avatar { Id = Guid.CreateVersion7(), UserId = account.Id, ContentType = contentType, Data = bytes };
        session.DeleteWhere<Avatar>(a => a.UserId == account.Id);
        session.Store(image);
        await session.SaveChangesAsync(ct);
        account.AvatarId = image.Id;
        await users.UpdateAsync(account);
        return Saved("Profile.AvatarSaved");
    }

    public async Task<IActionResult> OnPostPasswordAsync(string? currentPassword, string? newPassword, CancellationToken ct)
    {
        if (await LoadAsync() is not { } account) return NotFound();
        if (string.IsNullOrEmpty(newPassword) || newPassword.Length < 8) return Failed("Validation.PasswordLength");

        var result = account.PasswordHash is null
            ? await users.AddPasswordAsync(account, newPassword)
            : await users.ChangePasswordAsync(account, currentPassword ?? "", newPassword);
        if (!result.Succeeded)
            return Failed(result.Errors.Any(e => e.Code == "PasswordMismatch") ? "Profile.WrongPassword" : "Identity.Invalid");

        // A new password ends every other session; this one carries on with a fresh cookie.
        await sessions.RevokeAllAsync(account.Id, current.SessionId, account.Id, ct);
        await RecordAsync(new PasswordChanged(account.Id, account.Id, clock.GetUtcNow()), ct);
        await accounts.RefreshAsync(account, User);
        return Saved("Profile.PasswordChanged");
    }

    public async Task<IActionResult> OnPostDeleteAsync(string? confirmEmail, CancellationToken ct)
    {
        if (await LoadAsync() is not { } account) return NotFound();
        if (!string.Equals(confirmEmail?.Trim(), account.Email, StringComparison.OrdinalIgnoreCase)) return Failed("Profile.DeleteConfirm");

        await deletion.DeleteAsync(account.Id, ct);
        await signIn.SignOutAsync();
        return LocalRedirect("/account/signin");
    }

    private async Task<SambungUser?> LoadAsync() => Account = (await users.FindByIdAsync(current.Id))!;

    private async Task RecordAsync(object e, CancellationToken ct)
    {
        session.Events.Append(AccountStream.IdFor(current.Id), e);
        await session.SaveChangesAsync(ct);
    }

    private PageResult Saved(string key)
    {
        Message = text[key];
        DisplayName = Account.DisplayName;
        Bio = Account.Bio;
        return Page();
    }

    private PageResult Failed(string key)
    {
        Error = text[key];
        DisplayName = Account.DisplayName;
        Bio = Account.Bio;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private PageResult Invalid()
    {
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}

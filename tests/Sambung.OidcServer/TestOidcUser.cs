namespace Sambung.OidcServer;

/// <summary>
/// A user account known to a <see cref="TestOidcServer"/>. The claims issued for the user are
/// <c>sub</c> (<see cref="Subject"/>), <c>preferred_username</c> (<see cref="Username"/>), <c>name</c>,
/// <c>email</c>, <c>email_verified</c> and, when <see cref="Groups"/> is not empty, <c>groups</c>.
/// </summary>
/// <param name="Subject">The stable subject identifier (<c>sub</c> claim).</param>
/// <param name="Username">The login name typed into the "Username" box (compared ordinally, case-sensitive).</param>
/// <param name="Password">The password typed into the "Password" box (compared ordinally).</param>
/// <param name="Email">The <c>email</c> claim.</param>
/// <param name="EmailVerified">The <c>email_verified</c> claim (a JSON boolean).</param>
/// <param name="Name">The <c>name</c> claim (display name).</param>
/// <param name="Groups">The <c>groups</c> claim values; <c>null</c> or empty means no <c>groups</c> claim.</param>
public sealed record TestOidcUser(
    string Subject,
    string Username,
    string Password,
    string Email,
    bool EmailVerified,
    string Name,
    IReadOnlyList<string>? Groups = null);

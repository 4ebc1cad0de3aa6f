namespace Sambung.Web.Features.Accounts;

// Until accounts exist there is one local user; every query and command is already scoped through this id,
// so signing in only has to change where it comes from.
public sealed class CurrentUser
{
    public const string LocalUserId = "local";

    public string Id => LocalUserId;
}

using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Objects;

/// <summary>アドレスグループ: the list with type, size and the rules that use each group.</summary>
public sealed class AddressGroupsModel(PolicyObjectService objects) : ObjectListPage(objects);

/// <summary>キーワードと正規表現: the keyword expression lists.</summary>
public sealed class KeywordsModel(PolicyObjectService objects) : ObjectListPage(objects);

/// <summary>通知 and スタンプ lists.</summary>
public sealed class NotificationsModel(PolicyObjectService objects) : ObjectListPage(objects);

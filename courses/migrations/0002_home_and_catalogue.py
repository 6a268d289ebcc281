"""Replace Wagtail's default "Welcome" page with the Jiangxue home page and
an empty course catalogue (slug "courses"), and make the home page the root of
the default site, so the site works before any demo content is loaded."""

from django.db import migrations

SITE_NAME = "匠学 Jiangxue"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's, as Wagtail uses it
STEPLEN = 4


def _step(number):
    digits = ""
    while True:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
        if not number:
            return digits.rjust(STEPLEN, "0")


def _next_child_path(Page, parent):
    last = (
        Page.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = int(last[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
    return parent.path + _step(number)


def create_home_and_catalogue(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("courses.HomePage")
    CatalogueIndexPage = apps.get_model("courses.CatalogueIndexPage")

    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # wagtailcore's initial data was removed: nothing to attach to
        return

    # Wagtail's placeholder: a plain Page at depth 2 without children.
    page_type = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")[0]
    default_site = Site.objects.filter(is_default_site=True).first()
    site_fields = {"hostname": "localhost", "port": 80, "site_name": SITE_NAME}
    if default_site is not None:
        site_fields = {
            "hostname": default_site.hostname,
            "port": default_site.port,
            "site_name": default_site.site_name or SITE_NAME,
        }
    welcome = Page.objects.filter(depth=2, content_type=page_type, numchild=0)
    if default_site is not None:
        welcome = welcome.filter(pk=default_site.root_page_id)
    welcome.delete()  # the site pointing at it goes with it (CASCADE)

    home_type = ContentType.objects.get_or_create(app_label="courses", model="homepage")[0]
    catalogue_type = ContentType.objects.get_or_create(
        app_label="courses", model="catalogueindexpage"
    )[0]

    home = HomePage.objects.create(
        title="匠学",
        draft_title="匠学",
        slug="home",
        seo_title="匠学 · 职工技能培训",
        content_type=home_type,
        path=_next_child_path(Page, root),
        depth=2,
        numchild=1,
        url_path="/home/",
        locale_id=root.locale_id,
        live=True,
        intro="工会举办的免费在线职业技能培训：学习有记录、可追溯、可考核、可验证。",
    )
    CatalogueIndexPage.objects.create(
        title="课程目录",
        draft_title="课程目录",
        slug="courses",
        content_type=catalogue_type,
        path=home.path + _step(1),
        depth=3,
        numchild=0,
        url_path="/home/courses/",
        locale_id=root.locale_id,
        live=True,
        intro="按工种和技能等级浏览课程，或直接搜索。",
    )
    root.numchild = Page.objects.filter(depth=2, path__startswith=root.path).count()
    root.save(update_fields=["numchild"])

    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    Site.objects.update_or_create(
        hostname=site_fields["hostname"],
        port=site_fields["port"],
        defaults={
            "root_page_id": home.pk,
            "is_default_site": True,
            "site_name": site_fields["site_name"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [
        migrations.RunPython(create_home_and_catalogue, migrations.RunPython.noop),
    ]

"""`{% load i18n %}` keeps a constant `{% translate %}` per language; the rest is Django's."""

from django.template import Context, Engine, Template, engines
from django.utils import translation

SOURCE = (
    '{% load i18n %}{% translate "Kasus" %}|{% translate word %}|'
    '{% translate "Kasus" as kept %}{{ kept }}|{% translate "Ya" context "answer" %}|'
    '{% translate "Kasus"|upper %}'
)


def test_a_kept_translation_follows_the_language_of_each_render():
    template = Template(SOURCE)  # one compiled template, as the cached loader keeps it
    context = {"word": "Korban"}
    assert template.render(Context(context)).split("|")[:3] == ["Kasus", "Korban", "Kasus"]
    with translation.override("en"):
        english = template.render(Context(context)).split("|")
    assert english[0] == "Case" and english[2] == "Case" and english[4] == "CASE"
    assert english[1] == "Victim"  # a variable is looked up on every render
    assert template.render(Context(context)).split("|")[0] == "Kasus"


def test_the_same_text_as_djangos_own_tag_in_every_language_and_escaping():
    django_engine = Engine(libraries={"i18n": "django.templatetags.i18n"})  # nothing kept
    for source in (SOURCE, '{% load i18n %}{% translate "<b>A & B</b>" %}{% translate "100%" %}'):
        ours, djangos = Template(source), django_engine.from_string(source)
        for language in ("id", "en"):
            for autoescape in (True, False):
                with translation.override(language):
                    for _ in range(2):  # the second render comes from what was kept
                        context = {"word": "Korban"}
                        assert ours.render(Context(context, autoescape=autoescape)) == (
                            djangos.render(Context(context, autoescape=autoescape))
                        )


def test_no_library_name_is_given_twice_but_i18n():
    """The check that warns of one `{% load %}` name for two modules is silenced for "i18n"'s
    sake (settings.SILENCED_SYSTEM_CHECKS): any other name given twice fails here."""
    doubled = [
        message.msg for message in engines["django"].check() if message.id == "templates.W003"
    ]
    assert len(doubled) == 1 and doubled[0].startswith("'i18n' is used for multiple")

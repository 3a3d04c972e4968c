"""Select lists are written by `ppa.renderers.FormRenderer` in Python, with the markup of the
widget template they replace: every label and value escaped, groups, the chosen option."""

from django import forms

from ppa.renderers import FormRenderer


class _Form(forms.Form):
    place = forms.ChoiceField(
        label="Tempat",
        choices=[
            ("", "---------"),
            ("Rumah", [("rumah", "Rumah <tangga>"), ("kos", 'Kos "A" & B')]),
            ("sekolah", "Sekolah"),
        ],
        help_text="Di mana kejadian terjadi.",
    )
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)


def test_the_settings_use_the_renderer(settings):
    assert settings.FORM_RENDERER == "ppa.renderers.FormRenderer"


def test_a_select_with_groups_escapes_labels_and_marks_the_chosen_option():
    html = str(_Form(initial={"place": "kos"}, renderer=FormRenderer())["place"])
    assert html == (
        '<select name="place" required aria-describedby="id_place_helptext" id="id_place">'
        '\n  <option value="">---------</option>'
        '\n  <optgroup label="Rumah">'
        '\n  <option value="rumah">Rumah &lt;tangga&gt;</option>'
        '\n  <option value="kos" selected>Kos &quot;A&quot; &amp; B</option>'
        "\n  </optgroup>"
        '\n  <option value="sekolah">Sekolah</option>'
        "\n</select>"
    )


def test_a_bound_select_keeps_the_posted_choice_and_its_error_attributes():
    form = _Form(data={"place": "", "kind": "b"}, renderer=FormRenderer())
    assert not form.is_valid()
    place = str(form["place"])
    assert 'aria-invalid="true"' in place and "selected" not in place.split("</option>", 1)[1]
    assert '<option value="b" selected>B</option>' in str(form["kind"])


class _TextForm(forms.Form):
    name = forms.CharField(max_length=12)


def test_other_widgets_still_render_through_their_templates():
    html = str(_TextForm(renderer=FormRenderer())["name"])
    assert 'data-maxlength="12"' in html and " maxlength=" not in html

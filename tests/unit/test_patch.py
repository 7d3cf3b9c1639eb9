"""JSON-Patch of queue metadata: validation and application."""

import pytest

from zaqar.api import errors, patch

RESERVED = {'_default_message_ttl': 3600, '_max_claim_count': None}

INVALID = [
    ({'op': 'add', 'path': '/metadata/a', 'value': 1}, 'array'),
    ([1], 'object'),
    ([{'path': '/metadata/a', 'value': 1}], 'Invalid operation'),
    ([{'op': 'move', 'path': '/metadata/a'}], 'Invalid operation'),
    ([{'op': 'add', 'value': 1}], 'Missing "path"'),
    ([{'op': 'add', 'path': 'metadata/a', 'value': 1}], 'start with "/"'),
    ([{'op': 'add', 'path': '/metadata//a', 'value': 1}], 'empty segment'),
    ([{'op': 'add', 'path': '/metadata/a/', 'value': 1}], 'empty segment'),
    ([{'op': 'add', 'path': '/metadata/a~2', 'value': 1}], '"~" escape'),
    ([{'op': 'add', 'path': '/metadata', 'value': 1}], 'two segments'),
    ([{'op': 'add', 'path': '/metadata/a/b', 'value': 1}], 'two segments'),
    ([{'op': 'add', 'path': '/other/a', 'value': 1}], '"/metadata"'),
    ([{'op': 'replace', 'path': '/metadata/a'}], 'Missing "value"'),
]


@pytest.mark.parametrize('document,fragment', INVALID)
def test_invalid_documents_are_400_invalid_body(document, fragment):
    with pytest.raises(errors.InvalidBody) as info:
        patch.validate(document)
    assert info.value.code == 400
    assert info.value.title == 'Invalid request body'
    assert fragment in info.value.description


def test_pointer_escapes_are_decoded():
    changes = patch.validate([{'op': 'add', 'path': '/METADATA/a~1b~0c', 'value': 1}])
    assert changes == [('add', 'a/b~c', 1)]


def test_remove_does_not_check_the_first_segment():
    assert patch.validate([{'op': 'remove', 'path': '/x/k'}]) == [('remove', 'k', None)]


def test_operations_apply_in_order():
    changes = patch.validate([
        {'op': 'add', 'path': '/metadata/a', 'value': 1},
        {'op': 'replace', 'path': '/metadata/a', 'value': 2},
        {'op': 'add', 'path': '/metadata/b', 'value': 3},
        {'op': 'remove', 'path': '/metadata/b'},
        {'op': 'replace', 'path': '/metadata/_default_message_ttl', 'value': 120},
        {'op': 'remove', 'path': '/metadata/_max_claim_count'},
    ])
    assert patch.apply({'keep': True}, changes, RESERVED) == {
        'keep': True, 'a': 2, '_default_message_ttl': 120}


@pytest.mark.parametrize('op,description', [
    ('replace', "Can't replace non-existent object missing."),
    ('remove', "Can't remove non-existent object missing."),
])
def test_missing_non_reserved_key_conflicts(op, description):
    changes = patch.validate([{'op': op, 'path': '/metadata/missing', 'value': 1}])
    with pytest.raises(errors.Conflict) as info:
        patch.apply({}, changes, RESERVED)
    assert (info.value.code, info.value.description) == (409, description)


def test_apply_leaves_the_input_untouched():
    stored = {'a': 1}
    patch.apply(stored, [('remove', 'a', None)], RESERVED)
    assert stored == {'a': 1}

from django import forms


class WorkerSignupForm(forms.Form):
    def signup(self, request, user):
        pass
